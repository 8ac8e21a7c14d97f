"""Reads of caseloads: a case manager's own ("My caseload"), the team's outreach list of
inactive participants, and a supervisor's caseloads. Each takes the viewer, asks the access
decision once per holding provider (the rows it loads say who holds them), audits the read,
and runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Capability, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category, Purpose, Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_read
from tandem.casework.models import Contact, Enrollment, Task
from tandem.casework.selectors.figures import CaseloadSize, caseload_sizes
from tandem.people.selectors import HeldPerson
from tandem.policy.rules import PolicyRules
from tandem.policy.selectors import site_rules

# A page never lists more rows than this (a caseload is capped at 25 by the LEAD model).
PAGE_LIMIT = 200
# A deadline this close counts as needing attention now.
SOON = timedelta(days=7)


_SENTINEL = uuid.UUID(int=0)


def url_maker(name: str) -> Callable[[uuid.UUID], str]:
    """`reverse(name, args=[public_id])` for many rows at the cost of one: a list of two
    hundred rows would otherwise spend more time reversing URLs than querying."""
    pattern = reverse(name, args=[_SENTINEL])
    return lambda public_id: pattern.replace(str(_SENTINEL), str(public_id))


def casework_rules(site_id: int, on: date) -> PolicyRules:
    """The site's policy in force (cached per process for a minute, and forgotten when a
    version is saved: tandem.policy.selectors.site_rules)."""
    return site_rules(site_id, on)[0]


class _HolderDecisions:
    """decide() asked once per holding provider: on a caseload every row is held by a
    provider the rows already name, so the answer depends on nothing else."""

    def __init__(self, viewer: Viewer, categories: Iterable[Category]) -> None:
        self.viewer = viewer
        self.categories = tuple(categories)
        self._known: dict[tuple[int, int, bool], bool] = {}

    def allows(self, enrollment: Enrollment) -> bool:
        key = (enrollment.site_id, enrollment.provider_id, enrollment.provider.is_part2_program)
        if key not in self._known:
            subject = HeldPerson(*key)
            self._known[key] = all(
                decide(
                    viewer=self.viewer,
                    person=subject,
                    category=category,
                    purpose=Purpose.CARE_COORDINATION,
                )
                for category in self.categories
            )
        return self._known[key]


def _open_tasks() -> QuerySet[Task]:
    return Task.objects.filter(enrollment=OuterRef("pk"), done_at__isnull=True)


def _with_attention_fields(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """The open tasks and the next task due, as subqueries of the one query."""
    open_tasks = _open_tasks()
    return enrollments.annotate(
        open_task_count=Coalesce(
            Subquery(
                open_tasks.order_by().values("enrollment").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        next_task_due=Subquery(
            open_tasks.filter(due_on__isnull=False).order_by("due_on", "pk").values("due_on")[:1]
        ),
        next_task_title=Subquery(
            open_tasks.filter(due_on__isnull=False).order_by("due_on", "pk").values("title")[:1]
        ),
    )


@dataclass(frozen=True, slots=True)
class Deadline:
    on: date
    label: str


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One participant on a caseload, as plain values."""

    public_id: uuid.UUID  # the person's
    enrollment_id: uuid.UUID
    display_name: str
    status: str
    status_label: str
    days_since_substantive_contact: int | None
    open_tasks: int
    person_url: str
    contact_url: str
    next_deadline: Deadline | None
    # Why the row is where it is, in a few words ("task overdue", "no substantive contact
    # yet", ...).
    attention: str
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Caseload:
    rows: list[CaseloadRow]
    warn: int
    cap: int
    departs_from_model: bool
    inactivity_days: int

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def over_cap(self) -> bool:
        return self.size > self.cap

    @property
    def near_cap(self) -> bool:
        return self.warn <= self.size <= self.cap


def _next_deadline(enrollment: Enrollment, *, today: date, inactivity_days: int) -> Deadline | None:
    deadlines = []
    task_due = getattr(enrollment, "next_task_due", None)
    if task_due is not None:
        deadlines.append(Deadline(task_due, f"Task: {enrollment.next_task_title}"))  # type: ignore[attr-defined]
    if enrollment.status == Enrollment.Status.ACTIVE:
        since = enrollment.last_substantive_contact_on or enrollment.enrolled_on
        deadlines.append(Deadline(since + timedelta(days=inactivity_days + 1), "Becomes inactive"))
    return min(deadlines, key=lambda d: d.on) if deadlines else None


def _attention(row: CaseloadRow, today: date) -> tuple[int, int, date]:
    """Who needs attention first: anything overdue, then anything due within a week, then
    the longest without a substantive contact (never contacted first)."""
    deadline = row.next_deadline.on if row.next_deadline else date.max
    if deadline < today:
        bucket = 0
    elif deadline <= today + SOON:
        bucket = 1
    else:
        bucket = 2
    days = row.days_since_substantive_contact
    return (bucket, -(days if days is not None else 1_000_000), deadline)


def _why(deadline: Deadline | None, days: int | None, status: str, today: date) -> str:
    if deadline is not None and deadline.on < today:
        return "overdue"
    if deadline is not None and deadline.on <= today + SOON:
        return "due this week"
    if status == Enrollment.Status.INACTIVE:
        return "on the outreach list"
    if days is None:
        return "no substantive contact yet"
    return ""


def caseload_get(*, viewer: Viewer, limit: int = PAGE_LIMIT) -> Caseload:
    """The open enrollments assigned to the viewer, who needs attention first, with the
    caseload's size against the site's policy. Two queries (the rows, the policy, the
    latter cached) plus the audit."""
    today = timezone.localdate()
    rules = casework_rules(viewer.site_id, today)
    rows: list[CaseloadRow] = []
    if viewer.user_id is not None and viewer.role in CASE_MANAGEMENT_ROLES:
        enrollments = _with_attention_fields(
            Enrollment.objects.filter(site_id=viewer.site_id, case_manager_id=viewer.user_id)
            .exclude(status=Enrollment.Status.EXITED)
            .select_related("person", "provider")
            .only(
                "public_id",
                "site_id",
                "status",
                "enrolled_on",
                "last_substantive_contact_on",
                "provider__is_part2_program",
                "person__site_id",
                "person__public_id",
                "person__given_name",
                "person__family_name",
                "person__preferred_name",
                "person__description",
            )
            .order_by(F("last_substantive_contact_on").asc(nulls_first=True), "pk")[:limit]
        )
        # The caseload shows who (identity), their status (enrollment), and the team's own
        # tasks and contact dates (casework).
        decisions = _HolderDecisions(
            viewer, (Category.IDENTITY, Category.ENROLLMENT, Category.CASEWORK)
        )
        labels = dict(Enrollment.Status.choices)
        person_url = url_maker("casework:person")
        contact_url = url_maker("casework:contact_new")
        for enrollment in enrollments:
            if not decisions.allows(enrollment):
                continue
            last = enrollment.last_substantive_contact_on
            days = None if last is None else (today - last).days
            deadline = _next_deadline(
                enrollment, today=today, inactivity_days=rules.inactivity_days
            )
            rows.append(
                CaseloadRow(
                    public_id=enrollment.person.public_id,
                    enrollment_id=enrollment.public_id,
                    display_name=enrollment.person.display_name,
                    status=enrollment.status,
                    status_label=labels[enrollment.status],
                    days_since_substantive_contact=days,
                    open_tasks=enrollment.open_task_count,  # type: ignore[attr-defined]
                    person_url=person_url(enrollment.person.public_id),
                    contact_url=contact_url(enrollment.public_id),
                    next_deadline=deadline,
                    attention=_why(deadline, days, enrollment.status, today),
                    overdue=deadline is not None and deadline.on < today,
                )
            )
        rows.sort(key=lambda row: _attention(row, today))
        audit_read(
            viewer=viewer,
            action="caseload.viewed",
            category=Category.ENROLLMENT,
            purpose=Purpose.CARE_COORDINATION,
            detail={"count": len(rows)},
        )
    return Caseload(
        rows=rows,
        warn=rules.caseload_warn,
        cap=rules.caseload_cap,
        departs_from_model=rules.ends_participation_for_nonparticipation,
        inactivity_days=rules.inactivity_days,
    )


# The outreach list -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutreachRow:
    public_id: uuid.UUID  # the person's
    enrollment_id: uuid.UUID
    display_name: str
    person_url: str
    contact_url: str
    case_manager: str
    inactive_since: date | None
    days_since_substantive_contact: int | None
    # Where the team last met or looked for them (whereabouts the team itself recorded).
    last_place: str
    last_contact_on: date | None


def outreach_list(*, viewer: Viewer, limit: int = PAGE_LIMIT) -> list[OutreachRow]:
    """The inactive participants of the viewer's provider, longest inactive first, with
    where the team last met or looked for them. One query plus the audit."""
    if not can(viewer, Capability.VIEW_OUTREACH_LIST):
        raise OutOfScope("No such page.")
    today = timezone.localdate()
    latest = Contact.objects.filter(enrollment=OuterRef("pk"), removed_at__isnull=True).order_by(
        "-at", "-pk"
    )
    enrollments = (
        Enrollment.objects.filter(
            site_id=viewer.site_id,
            provider_id=viewer.organization_id,
            status=Enrollment.Status.INACTIVE,
        )
        .select_related("person", "provider", "case_manager")
        .annotate(
            last_place=Subquery(latest.values("place")[:1]),
            last_contact_at=Subquery(latest.values("at")[:1]),
        )
        .order_by(F("inactive_since").asc(nulls_first=True), "pk")[:limit]
    )
    # Where someone was last seen is whereabouts: the holding team sees it, nobody else.
    decisions = _HolderDecisions(
        viewer, (Category.IDENTITY, Category.ENROLLMENT, Category.CASEWORK, Category.WHEREABOUTS)
    )
    rows = []
    person_url = url_maker("casework:person")
    contact_url = url_maker("casework:contact_new")
    for enrollment in enrollments:
        if not decisions.allows(enrollment):
            continue
        last = enrollment.last_substantive_contact_on
        last_at = enrollment.last_contact_at
        rows.append(
            OutreachRow(
                public_id=enrollment.person.public_id,
                enrollment_id=enrollment.public_id,
                display_name=enrollment.person.display_name,
                person_url=person_url(enrollment.person.public_id),
                contact_url=contact_url(enrollment.public_id),
                case_manager=_user_label(enrollment.case_manager),
                inactive_since=enrollment.inactive_since,
                days_since_substantive_contact=None if last is None else (today - last).days,
                last_place=enrollment.last_place or "",
                last_contact_on=timezone.localdate(last_at) if last_at else None,
            )
        )
    audit_read(
        viewer=viewer,
        action="outreach.viewed",
        category=Category.WHEREABOUTS,
        purpose=Purpose.CARE_COORDINATION,
        detail={"count": len(rows)},
    )
    return rows


def _user_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# The supervisor's page -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseManagerChoice:
    public_id: uuid.UUID
    label: str


@dataclass(frozen=True, slots=True)
class AssignRow:
    public_id: uuid.UUID  # the person's
    enrollment_id: uuid.UUID
    display_name: str
    status_label: str
    case_manager_id: uuid.UUID | None
    days_since_substantive_contact: int | None


@dataclass(frozen=True, slots=True)
class SupervisorPage:
    sizes: list[CaseloadSize]
    case_managers: list[CaseManagerChoice]
    # The caseload being looked at: one case manager's, or the unassigned participants.
    showing: CaseManagerChoice | None
    rows: list[AssignRow] = field(default_factory=list)
    warn: int = 20
    cap: int = 25
    departs_from_model: bool = False


def supervisor_page(*, viewer: Viewer, case_manager_id: uuid.UUID | None) -> SupervisorPage:
    """Caseloads of the supervisor's provider against the site's cap, and one caseload (or
    the unassigned participants) to assign or transfer. Three queries plus the audit."""
    if not can(viewer, Capability.ASSIGN_CASELOADS):
        raise OutOfScope("No such page.")
    from tandem.casework.services import assignable_case_managers

    today = timezone.localdate()
    rules = casework_rules(viewer.site_id, today)
    sizes = caseload_sizes(viewer=viewer, warn=rules.caseload_warn, cap=rules.caseload_cap)
    case_managers = [
        CaseManagerChoice(user.public_id, _user_label(user))
        for user in assignable_case_managers(viewer.organization_id)
    ]
    showing = next((c for c in case_managers if c.public_id == case_manager_id), None)
    if case_manager_id is not None and showing is None:
        raise OutOfScope("No such case manager.")
    enrollments = (
        Enrollment.objects.filter(site_id=viewer.site_id, provider_id=viewer.organization_id)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("person", "provider", "case_manager")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    if showing is None:
        enrollments = enrollments.filter(case_manager__isnull=True)
    else:
        enrollments = enrollments.filter(case_manager__public_id=showing.public_id)
    decisions = _HolderDecisions(viewer, (Category.IDENTITY, Category.ENROLLMENT))
    labels = dict(Enrollment.Status.choices)
    rows = []
    for enrollment in enrollments[:PAGE_LIMIT]:
        if not decisions.allows(enrollment):
            continue
        last = enrollment.last_substantive_contact_on
        rows.append(
            AssignRow(
                public_id=enrollment.person.public_id,
                enrollment_id=enrollment.public_id,
                display_name=enrollment.person.display_name,
                status_label=labels[enrollment.status],
                case_manager_id=enrollment.case_manager.public_id
                if enrollment.case_manager
                else None,
                days_since_substantive_contact=None if last is None else (today - last).days,
            )
        )
    audit_read(
        viewer=viewer,
        action="caseloads.viewed",
        category=Category.ENROLLMENT,
        purpose=Purpose.CARE_COORDINATION,
        detail={"count": len(rows), "case_manager": str(case_manager_id or "")},
    )
    return SupervisorPage(
        sizes=sizes,
        case_managers=case_managers,
        showing=showing,
        rows=rows,
        warn=rules.caseload_warn,
        cap=rules.caseload_cap,
        departs_from_model=rules.ends_participation_for_nonparticipation,
    )


__all__ = [
    "Caseload",
    "CaseloadRow",
    "OutreachRow",
    "Role",
    "SupervisorPage",
    "caseload_get",
    "casework_rules",
    "outreach_list",
    "supervisor_page",
]
