"""Aggregate reads of casework. Figures carry no participant; small counts are suppressed
for roles that must never be able to single a person out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from tandem.access.decisions import Capability, can
from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.casework.models import Enrollment
from tandem.people.models import Person
from tandem.tenancy.models import Organization, Site

# Counts below this are shown as "fewer than 11" to aggregate-only roles (a common
# small-cell rule for health data, e.g. CMS's cell-size suppression policy).
SMALL_CELL = 11
EXACT_FIGURE_ROLES = frozenset({Role.PROJECT_MANAGER, Role.CM_SUPERVISOR})


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: int | None  # None: suppressed

    @property
    def display(self) -> str:
        return f"fewer than {SMALL_CELL}" if self.value is None else f"{self.value:,}"


def _figure(label: str, value: int, *, exact: bool) -> Figure:
    if not exact and 0 < value < SMALL_CELL:
        return Figure(label, None)
    return Figure(label, value)


def site_figures(*, viewer: Viewer) -> list[Figure]:
    if not can(viewer, Capability.VIEW_SITE_FIGURES):
        return []
    exact = viewer.role in EXACT_FIGURE_ROLES

    def count(rows: QuerySet[Any]) -> Subquery:
        return Subquery(
            rows.filter(site_id=OuterRef("pk"))
            .order_by()
            .values("site_id")
            .annotate(n=Count("pk"))
            .values("n")
        )

    # One query for the four figures.
    row: Mapping[str, Any] = (
        Site.objects.filter(pk=viewer.site_id)
        .values(
            known=count(Person.objects.all()),
            active=count(Enrollment.objects.filter(status=Enrollment.Status.ACTIVE)),
            inactive=count(Enrollment.objects.filter(status=Enrollment.Status.INACTIVE)),
            exited=count(Enrollment.objects.filter(status=Enrollment.Status.EXITED)),
        )
        .first()
    ) or {}
    counts = {key: value or 0 for key, value in row.items()}
    known = counts.get("known", 0)
    return [
        _figure("People known to the site", known, exact=exact),
        _figure("Active participants", counts.get("active", 0), exact=exact),
        _figure("Inactive participants (outreach looking)", counts.get("inactive", 0), exact=exact),
        _figure("Exited participants", counts.get("exited", 0), exact=exact),
    ]


@dataclass(frozen=True, slots=True)
class CaseloadSize:
    case_manager: str
    open_enrollments: int
    over_cap: bool
    near_cap: bool
    case_manager_id: str = ""  # the public id; empty for the unassigned


# DOMAIN.md §5: typically 12-15, up to 20 on average, never more than 25. These are the
# LEAD model's defaults; each site's policy in force says its own (caseload_warn, _cap).
CASELOAD_WARN = 20
CASELOAD_CAP = 25


def caseload_sizes(
    *, viewer: Viewer, warn: int = CASELOAD_WARN, cap: int = CASELOAD_CAP
) -> list[CaseloadSize]:
    """Open enrollments per case manager of the viewer's organisation (a supervisor's view),
    against the site's warning level and cap. One query."""
    if viewer.role is not Role.CM_SUPERVISOR:
        return []
    rows = (
        Enrollment.objects.filter(site_id=viewer.site_id, provider_id=viewer.organization_id)
        .exclude(status=Enrollment.Status.EXITED)
        .values(
            "case_manager__public_id",
            "case_manager__username",
            "case_manager__first_name",
            "case_manager__last_name",
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "case_manager__username")
    )
    sizes = []
    for row in rows:
        name = " ".join(
            p for p in (row["case_manager__first_name"], row["case_manager__last_name"]) if p
        )
        public_id = row["case_manager__public_id"]
        sizes.append(
            CaseloadSize(
                case_manager=name or row["case_manager__username"] or "Unassigned",
                open_enrollments=row["n"],
                over_cap=public_id is not None and row["n"] > cap,
                near_cap=public_id is not None and warn <= row["n"] <= cap,
                case_manager_id=str(public_id or ""),
            )
        )
    return sizes


def on_call_contacts(*, viewer: Viewer) -> list[Organization]:
    """Case-management providers of the site and their on-call numbers (not participant data)."""
    return list(
        Organization.objects.filter(
            site_id=viewer.site_id, kind=Organization.Kind.CASE_MANAGEMENT
        ).order_by("name")
    )


def national_figures(*, viewer: Viewer) -> list[tuple[Site, list[Figure]]]:
    """Figures of every site that opted in to sharing aggregates, always suppressed."""
    if not can(viewer, Capability.VIEW_NATIONAL_FIGURES):
        return []
    sites = Site.objects.filter(shares_national_aggregates=True).annotate(
        active=Count("people__enrollments", filter=Q(people__enrollments__status="active")),
        inactive=Count("people__enrollments", filter=Q(people__enrollments__status="inactive")),
    )
    return [
        (
            site,
            [
                _figure("Active participants", site.active, exact=False),
                _figure("Inactive participants", site.inactive, exact=False),
            ],
        )
        for site in sites.order_by("name")
    ]
