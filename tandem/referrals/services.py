"""Writes for referrals. Each takes `actor=`, checks the move against the state machine and
the site's policy, and writes the referral, its event and an audit event together."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Capability, can
from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_create
from tandem.legal.services import hold_create, hold_intake_completed
from tandem.matching.core import MatchRecord, PartialDate
from tandem.matching.selectors import sure_match
from tandem.notify.services import notify
from tandem.people.models import Person
from tandem.people.services import person_create
from tandem.policy.rules import (
    Evaluation,
    Facts,
    Outcome,
    PolicyRules,
    PriorEvent,
    evaluate,
    may_approve,
)
from tandem.policy.rules import may_refer as policy_may_refer
from tandem.policy.selectors import site_rules
from tandem.referrals.models import (
    Door,
    OnCallShift,
    PublicFormSubmission,
    Referral,
    ReferralEvent,
    Status,
)
from tandem.referrals.states import FINAL, check_move
from tandem.tenancy.models import Membership, Organization, Site

POLICE_DOORS = frozenset({Door.ARREST, Door.SOCIAL_CONTACT})
COMMUNITY = "community"
# The public form: at most this many referrals from one address in the window.
PUBLIC_FORM_LIMIT = 5
PUBLIC_FORM_WINDOW = timedelta(hours=1)
# An unanswered page goes to the providers' supervisors after this long.
ESCALATE_AFTER = timedelta(minutes=10)


class RateLimitedError(ValidationError):
    """Too many referrals from one address: answered 429 by the public form."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Who the referral is about, as the referrer knows them."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    approximate_age: int | None = None
    description: str = ""

    def is_named(self) -> bool:
        return bool(self.given_name.strip() and self.family_name.strip())


@dataclass(frozen=True, slots=True)
class Conduct:
    """What happened, in the terms of the site's policy (DOMAIN.md §4)."""

    offence_codes: tuple[str, ...] = ()
    substance: str = ""
    form: str = ""
    quantity_grams: Decimal | None = None
    dealing_for_profit: bool | None = None
    on_active_supervision: bool | None = None
    in_treatment_court: bool | None = None
    protective_order: bool | None = None
    no_contact_with_participant: bool | None = None
    complainant_consents: bool | None = None
    confidential_informant: bool | None = None
    area: str = ""
    # None: not checked; (): checked, nothing found.
    history: tuple[PriorEvent, ...] | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """The presumptive result, the facts it rests on and the policy version it used."""

    evaluation: Evaluation
    facts: Facts
    rules: PolicyRules
    version_id: int | None


def assess(*, site_id: int, door: str, subject: Subject, conduct: Conduct, on: date) -> Assessment:
    """Evaluate a referral's facts with the policy in force on `on`. Pure apart from reading
    the policy: the officer's form shows this before anything is saved."""
    rules, version_id = site_rules(site_id, on)
    facts = Facts(
        door=door,
        offence_codes=conduct.offence_codes,
        substance=conduct.substance or None,
        form=conduct.form or None,
        quantity_grams=conduct.quantity_grams,
        dealing_for_profit=conduct.dealing_for_profit,
        age=_age(subject, on),
        history=conduct.history,
        on_active_supervision=conduct.on_active_supervision,
        in_treatment_court=conduct.in_treatment_court,
        protective_order=conduct.protective_order,
        no_contact_with_participant=conduct.no_contact_with_participant,
        area=conduct.area or None,
        complainant_consents=conduct.complainant_consents,
        confidential_informant=conduct.confidential_informant,
        decided_on=on,
    )
    return Assessment(evaluate(rules, facts), facts, rules, version_id)


def _age(subject: Subject, on: date) -> int | None:
    born = subject.date_of_birth
    if born is not None:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return subject.approximate_age


def may_refer(*, viewer: Viewer, door: str, on: date | None = None) -> bool:
    """Police refer through their doors; the team enters community referrals that reach it
    by phone or in person. Either way only where the site's policy opens the door to the
    viewer's role."""
    if door in POLICE_DOORS:
        if not can(viewer, Capability.MAKE_REFERRALS):
            return False
    elif door != Door.COMMUNITY or not can(viewer, Capability.WORK_REFERRALS):
        return False
    rules, _ = site_rules(viewer.site_id, on or timezone.localdate())
    return policy_may_refer(rules, door, viewer.role.value)


def community_door_open(site_id: int, on: date | None = None) -> bool:
    rules, _ = site_rules(site_id, on or timezone.localdate())
    return policy_may_refer(rules, Door.COMMUNITY, COMMUNITY)


def approver_roles(site_id: int, on: date | None = None) -> frozenset[str]:
    rules, _ = site_rules(site_id, on or timezone.localdate())
    return frozenset(rules.approver_roles)


@transaction.atomic
def referral_submit(
    *,
    actor: User | None,
    viewer: Viewer,
    door: str,
    subject: Subject,
    conduct: Conduct,
    occurred_at: datetime,
    location_text: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    observations: str = "",
) -> Referral:
    """A referral made by a member: an officer's through a police door, or a community
    referral the team enters. It is evaluated with the policy in force; an ineligible one
    is kept (and counted) but pages nobody. An officer's other referrals page the on-call
    case manager at once."""
    today = timezone.localdate()
    if not may_refer(viewer=viewer, door=door, on=today):
        raise ValidationError("Your site's policy does not open this door to your role.")
    if door == Door.ARREST and not subject.is_named():
        raise ValidationError(
            "An arrest diversion needs the person's given and family name: the charge is "
            "held in their name."
        )
    if not subject.is_named() and not subject.description.strip():
        raise ValidationError("Give the person's name, or describe them so they can be found.")
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError("The time of the contact is in the future.")
    assessment = assess(
        site_id=viewer.site_id, door=door, subject=subject, conduct=conduct, on=today
    )
    ineligible = assessment.evaluation.outcome == Outcome.INELIGIBLE
    referral = Referral(
        site_id=viewer.site_id,
        door=door,
        status=Status.INELIGIBLE if ineligible else Status.SUBMITTED,
        referrer=actor,
        referrer_organization_id=viewer.organization_id,
        referrer_role=viewer.role.value,
        occurred_at=occurred_at,
        location_text=location_text.strip(),
        area=conduct.area.strip(),
        latitude=latitude,
        longitude=longitude,
        observations=observations.strip(),
        **_subject_fields(subject),
    )
    _store_assessment(referral, assessment)
    referral.person_id = _sure_person(viewer.site_id, subject)
    if ineligible:
        referral.closed_at = timezone.now()
    referral.full_clean()
    referral.save()
    _event(referral, "submitted", actor=actor, to_status=referral.status, label=viewer.label)
    audit_record(
        actor=actor,
        actor_label=viewer.label,
        site=referral.site_id,
        action="referral.submitted",
        target=referral,
        category="legal",
        detail={"door": door, "outcome": str(assessment.evaluation.outcome)},
    )
    if not ineligible and door in POLICE_DOORS:
        _page_on_call(referral, actor=actor)
    if not ineligible:
        _ask_approvers(referral, assessment.rules, actor=actor)
    return referral


def _ask_approvers(referral: Referral, rules: PolicyRules, *, actor: User | None) -> None:
    """Tell the approvers the site's policy names that a referral waits for them: a
    sergeant only for their own department's referrals."""
    members = Membership.objects.filter(
        site_id=referral.site_id, role__in=rules.approver_roles, is_active=True
    ).select_related("user")
    recipients = [
        m.user
        for m in members
        if m.role != Role.POLICE_SERGEANT or m.organization_id == referral.referrer_organization_id
    ]
    if actor is not None:
        recipients = [user for user in recipients if user.pk != actor.pk]
    notify(
        site=referral.site,
        recipients=recipients,
        kind="referral-decision",
        subject="A LEAD referral waits for your decision",
        body=f"{referral.get_door_display()} · {referral.referred_name}",
        url=reverse("referrals:detail", args=[referral.public_id]),
        actor=actor,
        # The body repeats the referral's page: who may open the referral may read it.
        referral=referral,
        category="legal",
    )


def _subject_fields(subject: Subject) -> dict[str, object]:
    return {
        "given_name": subject.given_name.strip(),
        "family_name": subject.family_name.strip(),
        "date_of_birth": subject.date_of_birth,
        "approximate_age": subject.approximate_age,
        "description": subject.description.strip(),
    }


def _store_assessment(referral: Referral, assessment: Assessment) -> None:
    referral.facts = assessment.facts.to_dict()
    referral.evaluation = assessment.evaluation.to_dict()
    referral.policy_version_id = assessment.version_id


def _sure_person(site_id: int, subject: Subject) -> int | None:
    """Link the referral to a person of the site only when the matcher is sure; anything
    less waits for the team's triage, which sees the candidates. The referrer is never told."""
    if not subject.is_named():
        return None
    dob = subject.date_of_birth
    record = MatchRecord(
        id="referral",
        given_name=subject.given_name,
        surname=subject.family_name,
        dob=PartialDate(dob.year, dob.month, dob.day) if dob else None,
    )
    return sure_match(site_id=site_id, record=record)


def _event(
    referral: Referral,
    kind: str,
    *,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    at: datetime | None = None,
    label: str = "",
) -> ReferralEvent:
    if not label:
        label = (actor.get_full_name() or actor.get_username()) if actor else "Tandem"
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
        by=actor,
        by_label=label,
        reason=reason,
    )


def on_call_now(site_id: int, at: datetime) -> list[User]:
    """Whoever is on call at a site at `at`, across its case-management providers."""
    shifts = (
        OnCallShift.objects.filter(site_id=site_id, starts_at__lte=at, ends_at__gt=at)
        .select_related("user")
        .order_by("starts_at")
    )
    users: dict[int, User] = {}
    for shift in shifts:
        users.setdefault(shift.user_id, shift.user)
    return list(users.values())


def _supervisors(site_id: int) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            site_id=site_id, role=Role.CM_SUPERVISOR, is_active=True
        ).select_related("user")
    ]


def _page_on_call(referral: Referral, *, actor: User | None) -> None:
    now = timezone.now()
    recipients = on_call_now(referral.site_id, now)
    note = ""
    if not recipients:
        # A page must never go nowhere: with nobody on the roster the supervisors get it.
        recipients = _supervisors(referral.site_id)
        note = "Nobody was on call; the case-management supervisors were paged."
    referral.handoff_requested_at = now
    referral.save(update_fields=["handoff_requested_at", "updated_at"])
    _event(referral, "paged", actor=actor, reason=note, at=now)
    _send_page(referral, recipients, actor=actor)


def _send_page(referral: Referral, recipients: Iterable[User], *, actor: User | None) -> None:
    where = referral.location_text or "place not given"
    notify(
        site=referral.site,
        recipients=recipients,
        kind="referral-page",
        # What leaves the machine (SMS, e-mail) is the subject: no name, no place.
        subject=f"LEAD {referral.get_door_display().lower()}: an officer is waiting",
        body=f"{referral.referred_name} · {where}. Accept the page to take the hand-off.",
        url=reverse("referrals:detail", args=[referral.public_id]),
        channels=("inbox", "sms", "email"),
        actor=actor,
        referral=referral,
        category="whereabouts",
    )


def public_client_digest(address: str) -> str:
    """A keyed hash of the client's address: enough for a rate limit, and no address kept."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"public-form:{address}".encode(), hashlib.sha256).hexdigest()


def public_form_allowed(*, site: Site, client_digest: str, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    recent = PublicFormSubmission.objects.filter(
        client_digest=client_digest, at__gte=now - PUBLIC_FORM_WINDOW
    ).count()
    return recent < PUBLIC_FORM_LIMIT


@transaction.atomic
def referral_submit_public(
    *,
    site: Site,
    client_digest: str,
    referrer_name: str,
    referrer_contact: str,
    referrer_relationship: str,
    subject: Subject,
    location_text: str,
    what_happened: str,
) -> Referral:
    """A community member's referral from the public form. It waits in the project
    manager's triage queue: a referral is never an approval."""
    now = timezone.now()
    if not community_door_open(site.pk):
        raise ValidationError("This site takes referrals from its police partners only.")
    if not public_form_allowed(site=site, client_digest=client_digest, now=now):
        raise RateLimitedError(
            "Too many referrals were sent from here in the last hour. Please try again later."
        )
    if not subject.is_named() and not subject.description.strip():
        raise ValidationError("Give the person's name, or describe them so they can be found.")
    if not referrer_contact.strip():
        raise ValidationError("Say how the LEAD team can reach you.")
    referral = Referral(
        site=site,
        door=Door.COMMUNITY,
        status=Status.SUBMITTED,
        referrer_role=COMMUNITY,
        referrer_name=referrer_name.strip(),
        referrer_contact=referrer_contact.strip(),
        referrer_relationship=referrer_relationship.strip(),
        occurred_at=now,
        location_text=location_text.strip(),
        observations=what_happened.strip(),
        **_subject_fields(subject),
    )
    referral.full_clean()
    referral.save()
    PublicFormSubmission.objects.create(site=site, client_digest=client_digest, at=now)
    _event(referral, "submitted", actor=None, to_status=Status.SUBMITTED)
    audit_record(
        actor=None,
        actor_label="public form",
        site=site.pk,
        action="referral.submitted",
        target=referral,
        category="legal",
        detail={"door": Door.COMMUNITY},
    )
    notify(
        site=site,
        recipients=[
            m.user
            for m in Membership.objects.filter(
                site=site, role=Role.PROJECT_MANAGER, is_active=True
            ).select_related("user")
        ],
        kind="referral-triage",
        subject="A community referral is waiting for triage",
        body=f"{referral.referred_name} · {referral.location_text or 'place not given'}",
        url=reverse("referrals:detail", args=[referral.public_id]),
        referral=referral,
        category="whereabouts",
    )
    return referral


def _locked(referral: Referral) -> Referral:
    """The referral's row, locked for the rest of the transaction, so two people acting at
    once are serialised and the second sees the first one's result."""
    return Referral.objects.select_for_update().select_related("site").get(pk=referral.pk)


def _move(referral: Referral, name: str, *, actor: User | None, reason: str = "") -> str:
    move = check_move(referral.status, name)
    previous = referral.status
    referral.status = move.target
    if move.target in FINAL:
        referral.closed_at = timezone.now()
    referral.save()
    _event(referral, name, actor=actor, from_status=previous, to_status=move.target, reason=reason)
    audit_record(
        actor=actor,
        site=referral.site_id,
        action=f"referral.{name}",
        target=referral,
        category="legal",
        detail={"from": previous, "to": move.target},
    )
    return previous


@transaction.atomic
def referral_screen(
    *, actor: User, viewer: Viewer, referral: Referral, subject: Subject, conduct: Conduct
) -> Referral:
    """Triage: complete the facts and evaluate them with the policy in force today. An
    ineligible result closes the referral (kept and counted); anything else waits for
    the approver."""
    referral = _locked(referral)
    today = referral.site.today()
    assessment = assess(
        site_id=referral.site_id, door=referral.door, subject=subject, conduct=conduct, on=today
    )
    ineligible = assessment.evaluation.outcome == Outcome.INELIGIBLE
    check_move(referral.status, "screen_ineligible" if ineligible else "screen")
    for name, value in _subject_fields(subject).items():
        setattr(referral, name, value)
    referral.area = conduct.area.strip()
    _store_assessment(referral, assessment)
    _move(referral, "screen_ineligible" if ineligible else "screen", actor=actor)
    return referral


@transaction.atomic
def referral_decide(
    *, actor: User, viewer: Viewer, referral: Referral, approve: bool, reason: str
) -> Referral:
    """The approver's decision. Two approvers at once give exactly one decision: the row is
    locked and the second finds it already decided."""
    referral = _locked(referral)
    reason = reason.strip()
    today = referral.site.today()
    rules, _ = site_rules(referral.site_id, today)
    if not may_approve(rules, viewer.role.value):
        raise ValidationError("Your site's policy does not make your role an approver.")
    check_move(referral.status, "approve" if approve else "decline")
    if not referral.evaluation:
        raise ValidationError(
            "Screen the referral first: it has not been checked against the policy."
        )
    outcome = Evaluation.from_dict(referral.evaluation).outcome
    if approve and outcome == Outcome.INELIGIBLE:
        raise ValidationError(
            "The site's policy finds this referral ineligible; correct the facts at screening "
            "if they are wrong."
        )
    if not reason and (not approve or outcome == Outcome.NEEDS_REVIEW):
        raise ValidationError(
            "Say why you decline."
            if not approve
            else "Say what you checked: the policy "
            "needs a review before this referral can be approved."
        )
    now = timezone.now()
    referral.decided_by = actor
    referral.decided_at = now
    referral.decision_reason = reason
    if not approve:
        _move(referral, "decline", actor=actor, reason=reason)
        return referral
    referral.intake_due_on = today + timedelta(days=rules.intake_deadline_days)
    _move(referral, "approve", actor=actor, reason=reason)
    if referral.door == Door.ARREST:
        _hold_charge(referral, actor=actor)
    if referral.handoff_done_at is not None:
        # The person was handed over at the scene: found, and the intake is next.
        _move(referral, "located", actor=actor, reason="Handed over at the scene.")
    if referral.referrer is not None:
        notify(
            site=referral.site,
            recipients=[referral.referrer],
            kind="referral-decided",
            subject="A LEAD referral you made was decided",
            body="Approved: the case-management team takes it from here.",
            url=reverse("referrals:detail", args=[referral.public_id]),
            actor=actor,
        )
    return referral


def _hold_charge(referral: Referral, *, actor: User) -> None:
    """An approved arrest diversion holds the charge with the prosecutor until the intake
    deadline. The hold needs the person on record, so one is created from the referral's
    details when the matcher found nobody sure."""
    prosecutor = (
        Organization.objects.filter(site_id=referral.site_id, kind=Organization.Kind.PROSECUTOR)
        .order_by("pk")
        .first()
    )
    if prosecutor is None:
        _event(
            referral,
            "hold_skipped",
            actor=actor,
            reason="The site has no prosecutor organisation to hold the charge.",
        )
        return
    person = _ensure_person(referral, actor=actor)
    codes = tuple(referral.facts.get("offence_codes", ()))
    today = referral.site.today()
    rules, _ = site_rules(referral.site_id, today)
    offences = [rules.offence(code) for code in codes]
    summary = "; ".join(
        f"{offence.code} · {offence.label}" if offence else code
        for offence, code in zip(offences, codes, strict=True)
    )
    hold = hold_create(
        actor=actor,
        site=referral.site,
        person=person,
        prosecutor_organization=prosecutor,
        charge_summary=summary or "Charge as referred",
        incident_on=referral.site.today(referral.occurred_at),
        deadline=referral.intake_due_on or today,
        case_manager=referral.case_manager,
    )
    referral.hold = hold
    referral.save(update_fields=["hold", "updated_at"])
    _event(referral, "hold_created", actor=actor, reason=f"Intake due by {hold.deadline}.")


def _ensure_person(referral: Referral, *, actor: User | None) -> Person:
    if referral.person is not None:
        return referral.person
    if not (referral.given_name and referral.family_name):
        raise ValidationError("Link the referral to a person first: the name is not known.")
    person = person_create(
        actor=actor,
        site=referral.site,
        given_name=referral.given_name,
        family_name=referral.family_name,
        date_of_birth=referral.date_of_birth,
        dob_precision=Person.DobPrecision.EXACT
        if referral.date_of_birth
        else Person.DobPrecision.UNKNOWN,
        description=referral.description,
    )
    referral.person = person
    referral.save(update_fields=["person", "updated_at"])
    _event(referral, "person_created", actor=actor)
    return person


HANDOFF_STEPS = ("accept", "arrived", "done")


@transaction.atomic
def referral_handoff(*, actor: User, viewer: Viewer, referral: Referral, step: str) -> Referral:
    """The on-call hand-off, in order: accept the page, arrive at the scene, hand-off done.
    Each time is kept, to be measured against the site's target."""
    referral = _locked(referral)
    if step not in HANDOFF_STEPS:
        raise ValidationError(f"There is no hand-off step called “{step}”.")
    if referral.handoff_requested_at is None:
        raise ValidationError("Nobody was paged for this referral.")
    if referral.status in FINAL - {Status.ENROLLED}:
        raise ValidationError("This referral is closed; there is no hand-off to make.")
    now = timezone.now()
    if step == "accept":
        if referral.handoff_accepted_at is not None:
            who = referral.handoff_accepted_by
            raise ValidationError(
                f"{who.get_full_name() or who.get_username() if who else 'Someone'} "
                "already accepted this page."
            )
        referral.handoff_accepted_at = now
        referral.handoff_accepted_by = actor
        if referral.case_manager is None:
            referral.case_manager = actor
            if referral.hold is not None:
                from tandem.legal.services import hold_assign_case_manager

                hold_assign_case_manager(actor=actor, hold=referral.hold, user=actor)
    elif step == "arrived":
        if referral.handoff_accepted_at is None:
            raise ValidationError("Accept the page before arriving.")
        if referral.case_manager_arrived_at is not None:
            raise ValidationError("The arrival is already recorded.")
        referral.case_manager_arrived_at = now
    else:
        if referral.handoff_accepted_at is None:
            raise ValidationError("Accept the page before finishing the hand-off.")
        if referral.handoff_done_at is not None:
            raise ValidationError("The hand-off is already recorded as done.")
        referral.handoff_done_at = now
    referral.save()
    _event(referral, f"handoff_{step}", actor=actor, at=now)
    audit_record(
        actor=actor,
        site=referral.site_id,
        action=f"referral.handoff_{step}",
        target=referral,
        category="enrollment",
    )
    if step == "done" and referral.status == Status.APPROVED:
        _move(referral, "located", actor=actor, reason="Handed over at the scene.")
    return referral


@transaction.atomic
def referral_move(
    *, actor: User, viewer: Viewer, referral: Referral, name: str, reason: str = ""
) -> Referral:
    """The team's steps after approval: not yet located, located, the person declined."""
    if name not in {"not_located", "located", "person_declined"}:
        raise ValidationError("That step is not taken here.")
    referral = _locked(referral)
    if name == "person_declined" and not reason.strip():
        check_move(referral.status, name)
        raise ValidationError("Say what the person said, in a few words.")
    _move(referral, name, actor=actor, reason=reason.strip())
    return referral


@transaction.atomic
def referral_link_person(
    *, actor: User, viewer: Viewer, referral: Referral, person: Person | None
) -> Referral:
    """Say who the referral is about: a person already on record (found by the team with
    the matcher), or a new record made from the referral's details (`person` None)."""
    referral = _locked(referral)
    if referral.status in {Status.ENROLLED, Status.EXPIRED, Status.DECLINED_BY_PERSON}:
        raise ValidationError("This referral is closed.")
    if person is None:
        referral.person = None
        _ensure_person(referral, actor=actor)
    else:
        if person.site_id != referral.site_id or person.merged_into_id is not None:
            raise ValidationError("That person is not on this site's record.")
        referral.person = person
        referral.save(update_fields=["person", "updated_at"])
        _event(referral, "person_linked", actor=actor)
    audit_record(
        actor=actor,
        site=referral.site_id,
        action="referral.person_linked",
        target=referral,
        category="identity",
        detail={"person": str(referral.person.public_id) if referral.person else ""},
    )
    return referral


@transaction.atomic
def referral_enroll(*, actor: User, viewer: Viewer, referral: Referral, on: date) -> Referral:
    """Hand the referral over to casework: the person is enrolled with the viewer's
    provider (or keeps the enrollment they already have) and any held charge learns that
    the intake is done."""
    referral = _locked(referral)
    check_move(referral.status, "enroll")
    if referral.person is None:
        raise ValidationError("Link the referral to a person before enrolling them.")
    if on > referral.site.today():
        raise ValidationError("The intake date is in the future.")
    enrollment = (
        Enrollment.objects.filter(person=referral.person)
        .exclude(status=Enrollment.Status.EXITED)
        .first()
    )
    if enrollment is None:
        provider = Organization.objects.get(pk=viewer.organization_id)
        if provider.kind != Organization.Kind.CASE_MANAGEMENT:
            raise ValidationError("Only a case-management provider enrolls a participant.")
        case_manager = referral.case_manager or actor
        if not case_manager.memberships.filter(organization=provider, is_active=True).exists():
            case_manager = actor
        enrollment = enrollment_create(
            actor=actor,
            person=referral.person,
            provider=provider,
            case_manager=case_manager,
            enrolled_on=on,
        )
    referral.enrollment = enrollment
    _move(referral, "enroll", actor=actor)
    if referral.hold is not None and referral.hold.intake_completed_on is None:
        hold_intake_completed(actor=actor, hold=referral.hold, on=on)
    return referral


@transaction.atomic
def on_call_shift_add(
    *, actor: User, viewer: Viewer, user: User, starts_at: datetime, ends_at: datetime
) -> OnCallShift:
    membership = (
        Membership.objects.filter(
            user=user,
            site_id=viewer.site_id,
            is_active=True,
            organization__kind=Organization.Kind.CASE_MANAGEMENT,
        )
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise ValidationError("Only a member of a case-management provider can be on call.")
    if ends_at <= starts_at:
        raise ValidationError("The shift must end after it starts.")
    if ends_at - starts_at > timedelta(days=14):
        raise ValidationError("A shift is at most 14 days long.")
    shift = OnCallShift.objects.create(
        site_id=viewer.site_id,
        provider=membership.organization,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        site=viewer.site_id,
        action="on_call.shift_added",
        target=shift,
        detail={"user": user.get_username()},
    )
    return shift


def referrals_sweep(now: datetime) -> int:
    """The periodic work on referrals: page the supervisors when nobody accepted a page in
    time; expire referrals whose intake deadline passed (an arrest diversion follows its
    hold's deadline, which the prosecutor may extend); forget old rate-limit rows.
    Idempotent: each referral is escalated or expired once."""
    done = 0
    late = Referral.objects.filter(
        handoff_requested_at__lte=now - ESCALATE_AFTER,
        handoff_accepted_at__isnull=True,
        handoff_escalated_at__isnull=True,
        status__in=[Status.SUBMITTED, Status.SCREENED, Status.APPROVED],
    ).select_related("site")
    for referral in late:
        with transaction.atomic():
            locked = _locked(referral)
            if locked.handoff_accepted_at or locked.handoff_escalated_at:
                continue
            locked.handoff_escalated_at = now
            locked.save(update_fields=["handoff_escalated_at", "updated_at"])
            _event(locked, "escalated", actor=None, at=now, reason="Nobody accepted the page.")
            _send_page(locked, _supervisors(locked.site_id), actor=None)
            done += 1
    for referral in Referral.objects.filter(
        status__in=[Status.APPROVED, Status.NOT_LOCATED, Status.INTAKE_PENDING],
        # Only a prefilter: the earliest time zone on Earth is 14 hours ahead of UTC.
        intake_due_on__lt=(now.astimezone(UTC) + timedelta(hours=14)).date(),
    ).select_related("site", "hold"):
        due = referral.hold.deadline if referral.hold is not None else referral.intake_due_on
        if due is None or referral.site.today(now) <= due:
            continue
        with transaction.atomic():
            locked = _locked(referral)
            if locked.status not in {Status.APPROVED, Status.NOT_LOCATED, Status.INTAKE_PENDING}:
                continue
            _move(locked, "expire", actor=None, reason=f"No intake by {due}.")
            done += 1
    PublicFormSubmission.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return done
