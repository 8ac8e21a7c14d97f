"""Reads of diverted-charge holds: a prosecutor sees their own office's
(Capability.WORK_HOLDS), the project manager every hold of the site (Capability.VIEW_HOLDS);
anyone else gets 404. Each read is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tandem.access.decisions import Capability, can
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.services import audit_read
from tandem.legal.models import DivertedChargeHold, HoldEvent

LEGAL = Purpose.LEGAL_COORDINATION
# A page lists at most this many rows; the query count does not depend on it.
PAGE_LIMIT = 200

# Diverted-charge holds ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldRow:
    """What a prosecutor (or the project manager) sees of one hold: who, the charge, the
    dates and the decision; never the provider, the case manager or any casework."""

    public_id: uuid.UUID
    person_name: str
    date_of_birth: str
    charge_summary: str
    incident_on: dt.date
    deadline: dt.date
    days_left: int
    intake_completed_on: dt.date | None
    disposition: str
    disposition_label: str
    disposition_reason: str
    disposed_on: dt.date | None
    prosecutor_office: str

    @property
    def is_open(self) -> bool:
        return self.disposition == ""

    @property
    def days_left_text(self) -> str:
        if not self.is_open:
            return ""
        days = abs(self.days_left)
        unit = "day" if days == 1 else "days"
        if self.days_left > 0:
            return f"{days} {unit} left"
        if self.days_left == 0:
            return "Deadline today"
        return f"{days} {unit} overdue"


@dataclass(frozen=True, slots=True)
class HoldList:
    rows: list[HoldRow]
    state: str
    truncated: bool
    can_work: bool


HOLD_STATES = ("open", "decided")


def holds_in_scope(viewer: Viewer) -> QuerySet[DivertedChargeHold]:
    holds = DivertedChargeHold.objects.filter(site_id=viewer.site_id)
    if can(viewer, Capability.WORK_HOLDS):
        # The prosecutor's own office only: another office's holds do not exist for them.
        return holds.filter(prosecutor_organization_id=viewer.organization_id)
    if can(viewer, Capability.VIEW_HOLDS):
        return holds
    raise OutOfScope("No such page.")


def _hold_row(hold: DivertedChargeHold, today: dt.date) -> HoldRow:
    person = hold.person
    return HoldRow(
        public_id=hold.public_id,
        person_name=person.display_name,
        date_of_birth=person.date_of_birth_display,
        charge_summary=hold.charge_summary,
        incident_on=hold.incident_on,
        deadline=hold.deadline,
        days_left=(hold.deadline - today).days,
        intake_completed_on=hold.intake_completed_on,
        disposition=hold.disposition,
        disposition_label=hold.get_disposition_display(),
        disposition_reason=hold.disposition_reason,
        disposed_on=timezone.localtime(hold.disposed_at).date() if hold.disposed_at else None,
        prosecutor_office=hold.prosecutor_organization.name,
    )


def _hold_rows() -> QuerySet[DivertedChargeHold]:
    return DivertedChargeHold.objects.select_related("person", "prosecutor_organization").only(
        "public_id",
        "charge_summary",
        "incident_on",
        "deadline",
        "intake_completed_on",
        "disposition",
        "disposition_reason",
        "disposed_at",
        "person__given_name",
        "person__family_name",
        "person__preferred_name",
        "person__description",
        "person__date_of_birth",
        "person__dob_precision",
        "prosecutor_organization__name",
    )


def hold_list(*, viewer: Viewer, state: str = "open", limit: int = PAGE_LIMIT) -> HoldList:
    """Open holds by deadline (overdue first), or decided holds, newest decision first."""
    scope = holds_in_scope(viewer)
    state = state if state in HOLD_STATES else "open"
    holds = _hold_rows().filter(pk__in=scope.values("pk"))
    if state == "open":
        holds = holds.filter(disposition="").order_by("deadline", "pk")
    else:
        holds = holds.exclude(disposition="").order_by("-disposed_at", "-pk")
    today = timezone.localdate()
    found = list(holds[: limit + 1])
    rows = [_hold_row(hold, today) for hold in found[:limit]]
    audit_read(
        viewer=viewer,
        action="hold.listed",
        category=Category.LEGAL,
        purpose=LEGAL,
        detail={"state": state, "count": len(rows)},
    )
    return HoldList(
        rows=rows,
        state=state,
        truncated=len(found) > limit,
        can_work=can(viewer, Capability.WORK_HOLDS),
    )


@dataclass(frozen=True, slots=True)
class HoldEventShown:
    kind: str
    label: str
    at: dt.datetime
    by: str
    from_date: dt.date | None
    to_date: dt.date | None
    reason: str


@dataclass(frozen=True, slots=True)
class HoldDetail:
    hold: HoldRow
    events: list[HoldEventShown]
    can_work: bool


# The prosecutor's own decisions show who took them; for the other events a prosecutor
# learns what happened, never who in case management did it.
_DECISIONS = frozenset({HoldEvent.Kind.EXTENDED, HoldEvent.Kind.DECLINED, HoldEvent.Kind.FILED})


def hold_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> DivertedChargeHold:
    """The hold itself, for a prosecutor of its office (the only ones who decide it)."""
    if not can(viewer, Capability.WORK_HOLDS):
        raise OutOfScope("No such hold.")
    hold = holds_in_scope(viewer).filter(public_id=public_id).first()
    if hold is None:
        raise OutOfScope("No such hold.")
    return hold


def hold_get(*, viewer: Viewer, public_id: uuid.UUID) -> HoldDetail:
    hold = (
        _hold_rows()
        .filter(pk__in=holds_in_scope(viewer).values("pk"))
        .filter(public_id=public_id)
        .first()
    )
    if hold is None:
        raise OutOfScope("No such hold.")
    names_everyone = can(viewer, Capability.VIEW_HOLDS)
    events = [
        HoldEventShown(
            kind=event.kind,
            label=event.get_kind_display(),
            at=event.at,
            by=str(event.by or "")
            if event.by_id and (names_everyone or event.kind in _DECISIONS)
            else "",
            from_date=event.from_date,
            to_date=event.to_date,
            reason=event.reason,
        )
        for event in HoldEvent.objects.filter(hold=hold).select_related("by").order_by("at", "pk")
    ]
    audit_read(
        viewer=viewer,
        action="hold.viewed",
        target=hold,
        category=Category.LEGAL,
        purpose=LEGAL,
    )
    return HoldDetail(
        hold=_hold_row(hold, timezone.localdate()),
        events=events,
        can_work=can(viewer, Capability.WORK_HOLDS),
    )
