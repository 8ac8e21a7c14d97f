"""Reads of referrals, each scoped by the access decision's `referral_scope()` and audited.
A referral out of the viewer's scope does not exist for them (404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.access.decisions import Capability, ReferralScope, can, referral_scope
from tandem.access.errors import OutOfScope
from tandem.access.roles import POLICE_ROLES, Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.services import audit_read
from tandem.matching.core import MatchRecord, PartialDate
from tandem.matching.selectors import Candidate, person_candidates
from tandem.policy.rules import Evaluation, Facts
from tandem.policy.selectors import site_rules
from tandem.referrals.models import OnCallShift, Referral, Status
from tandem.referrals.services import approver_roles
from tandem.referrals.states import AWAITING_DECISION, FINAL, OPEN_AFTER_APPROVAL, Move, moves_from

TABS = {
    "decide": ("Waiting for a decision", AWAITING_DECISION),
    "working": ("Approved, being worked", OPEN_AFTER_APPROVAL),
    "closed": ("Closed", FINAL),
}
QUEUE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PoliceStatus:
    code: str
    label: str


WAITING = PoliceStatus("waiting", "Waiting for a decision")
NOT_ELIGIBLE = PoliceStatus("ineligible", "Not eligible under the site's policy")
DECLINED = PoliceStatus("declined", "Declined")
APPROVED = PoliceStatus("approved", "Approved: with the case-management team")


def police_status(referral: Referral) -> PoliceStatus:
    """What police see of a referral's progress, on the pages and in the API. After
    approval it is with the case-management team; whether the person enrolled is not
    theirs to know without a release (Golden Rule 1)."""
    status = Status(referral.status)
    if status in AWAITING_DECISION:
        return WAITING
    if status is Status.INELIGIBLE:
        return NOT_ELIGIBLE
    if status is Status.DECLINED:
        return DECLINED
    return APPROVED


def referrals_visible(viewer: Viewer) -> QuerySet[Referral]:
    """Every referral the viewer may open, nothing else."""
    scope = referral_scope(viewer, approver_roles=approver_roles(viewer.site_id))
    referrals = Referral.objects.filter(site_id=viewer.site_id)
    if scope is ReferralScope.SITE:
        return referrals
    if scope is ReferralScope.ORGANIZATION:
        return referrals.filter(referrer_organization_id=viewer.organization_id)
    if scope is ReferralScope.OWN and viewer.user_id is not None:
        return referrals.filter(referrer_id=viewer.user_id)
    if scope is ReferralScope.OWN and viewer.api_token_id is not None:
        # A police records system sees the referrals it sent itself.
        return referrals.filter(
            referrer_organization_id=viewer.organization_id, referrer__isnull=True
        )
    return referrals.none()


def may_open_queue(viewer: Viewer) -> bool:
    return referral_scope(viewer, approver_roles=approver_roles(viewer.site_id)) is not (
        ReferralScope.NONE
    )


@dataclass(frozen=True, slots=True)
class Queue:
    tab: str
    tabs: list[tuple[str, str, int]]
    rows: list[Referral]
    is_police: bool
    more: bool


def referral_queue(*, viewer: Viewer, tab: str = "decide") -> Queue:
    """The referral queue of a tab, oldest first while waiting (first come, first served),
    newest first once closed; with each tab's count."""
    if tab not in TABS:
        tab = "decide"
    referrals = referrals_visible(viewer)
    counts = referrals.aggregate(
        **{
            key: Count("pk", filter=Q(status__in=[s.value for s in states]))
            for key, (_, states) in TABS.items()
        }
    )
    order = ["-occurred_at"] if tab == "closed" else ["occurred_at"]
    rows = list(
        referrals.filter(status__in=[s.value for s in TABS[tab][1]])
        .select_related("referrer", "referrer_organization", "case_manager", "person")
        .order_by(*order)[: QUEUE_LIMIT + 1]
    )
    is_police = viewer.role in POLICE_ROLES
    for row in rows:
        # What each row may say of its progress (police: never enrollment).
        row.status_shown = (  # type: ignore[attr-defined]
            police_status(row).label if is_police else row.get_status_display()
        )
    audit_read(
        viewer=viewer,
        action="referral.queue_viewed",
        category=Category.LEGAL,
        purpose=_purpose(viewer),
        detail={"tab": tab, "count": min(len(rows), QUEUE_LIMIT)},
    )
    return Queue(
        tab=tab,
        tabs=[(key, label, counts[key]) for key, (label, _) in TABS.items()],
        rows=rows[:QUEUE_LIMIT],
        is_police=is_police,
        more=len(rows) > QUEUE_LIMIT,
    )


def _purpose(viewer: Viewer) -> Purpose:
    if viewer.role in POLICE_ROLES:
        return Purpose.POLICE_LOOKUP
    if can(viewer, Capability.WORK_REFERRALS):
        return Purpose.CARE_COORDINATION
    return Purpose.LEGAL_COORDINATION


def referral_get(*, viewer: Viewer, public_id: uuid.UUID) -> Referral:
    referral = (
        referrals_visible(viewer)
        .select_related(
            "site",
            "person",
            "referrer",
            "referrer_organization",
            "case_manager",
            "handoff_accepted_by",
            "decided_by",
            "policy_version",
            "hold",
        )
        .filter(public_id=public_id)
        .first()
    )
    if referral is None:
        raise OutOfScope("No such referral.")
    audit_read(
        viewer=viewer,
        action="referral.viewed",
        target=referral,
        category=Category.LEGAL,
        purpose=_purpose(viewer),
    )
    return referral


@dataclass(frozen=True, slots=True)
class Handoff:
    requested_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    done_at: datetime | None
    target_minutes: int

    @property
    def minutes_to_arrival(self) -> int | None:
        if self.requested_at is None or self.arrived_at is None:
            return None
        return int((self.arrived_at - self.requested_at) / timedelta(minutes=1))

    @property
    def minutes_waiting(self) -> int | None:
        if self.requested_at is None or self.arrived_at is not None:
            return None
        return int((timezone.now() - self.requested_at) / timedelta(minutes=1))

    @property
    def on_target(self) -> bool | None:
        minutes = self.minutes_to_arrival
        return None if minutes is None else minutes <= self.target_minutes


@dataclass(frozen=True, slots=True)
class ReferralPage:
    referral: Referral
    evaluation: Evaluation | None
    facts: Facts | None
    offences: list[str]
    handoff: Handoff
    events: list[object]
    moves: list[Move]
    is_police: bool
    police_status: str
    may_decide: bool
    may_work: bool


def referral_page(*, viewer: Viewer, public_id: uuid.UUID) -> ReferralPage:
    referral = referral_get(viewer=viewer, public_id=public_id)
    rules, _ = site_rules(referral.site_id, timezone.localdate())
    version_rules = (
        referral.policy_version.policy_rules if referral.policy_version is not None else rules
    )
    evaluation = Evaluation.from_dict(referral.evaluation) if referral.evaluation else None
    facts = Facts.from_dict(referral.facts) if referral.facts else None
    offences = []
    for code in facts.offence_codes if facts else ():
        offence = version_rules.offence(code)
        offences.append(f"{offence.label} ({offence.code})" if offence else code)
    is_police = viewer.role in POLICE_ROLES
    may_work = can(viewer, Capability.WORK_REFERRALS)
    may_decide = viewer.role.value in rules.approver_roles and Status(referral.status) in (
        AWAITING_DECISION
    )
    return ReferralPage(
        referral=referral,
        evaluation=evaluation,
        facts=facts,
        offences=offences,
        handoff=Handoff(
            requested_at=referral.handoff_requested_at,
            accepted_at=referral.handoff_accepted_at,
            arrived_at=referral.case_manager_arrived_at,
            done_at=referral.handoff_done_at,
            target_minutes=rules.handoff_target_minutes,
        ),
        # Police see when it was sent and decided, never the team's steps.
        events=[] if is_police else list(referral.events.select_related("by")),
        moves=[] if is_police else moves_from(referral.status),
        is_police=is_police,
        police_status=police_status(referral).label,
        may_decide=may_decide,
        may_work=may_work,
    )


def referral_candidates(
    *, viewer: Viewer, public_id: uuid.UUID
) -> tuple[Referral, list[Candidate]]:
    """Who on record the referred person may be, for the team to link (the matcher's
    candidates, as in search before create). Asked separately from the page, so that the
    page itself stays within its query budget."""
    if not can(viewer, Capability.WORK_REFERRALS):
        raise OutOfScope("No such page.")
    referral = referral_get(viewer=viewer, public_id=public_id)
    if referral.person_id is not None or not (referral.given_name and referral.family_name):
        return referral, []
    dob = referral.date_of_birth
    record = MatchRecord(
        id="referral",
        given_name=referral.given_name,
        surname=referral.family_name,
        dob=PartialDate(dob.year, dob.month, dob.day) if dob else None,
    )
    return referral, person_candidates(viewer=viewer, record=record)


def on_call_roster(*, viewer: Viewer, now: datetime | None = None) -> list[OnCallShift]:
    """Current and coming shifts of the viewer's site."""
    if not can(viewer, Capability.MANAGE_ON_CALL):
        raise OutOfScope("No such page.")
    now = now or timezone.now()
    return list(
        OnCallShift.objects.filter(site_id=viewer.site_id, ends_at__gt=now)
        .select_related("user", "provider")
        .order_by("starts_at")[:200]
    )
