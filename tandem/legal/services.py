"""Writes of legal coordination. Each takes `actor=`, checks every rule before it writes,
and appends an audit event in the same transaction; a refusal raises ValidationError with
the reason in plain words and changes nothing. The caller has checked that the actor may
act (the selectors answer 404 otherwise)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category, Purpose
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.legal.models import DivertedChargeHold, HoldEvent, LegalStatusSummary, Letter
from tandem.legal.sharing import holding_provider, letter_draft, status_note_normalised
from tandem.people.models import Person
from tandem.tenancy.models import Membership, Organization, Site

# What a prosecutor may decide about an open hold.
DISPOSITIONS = ("declined", "filed", "extended")


def _known(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _is_case_manager_at(user: User, site_id: int) -> bool:
    return Membership.objects.filter(
        user=user, site_id=site_id, is_active=True, role__in=list(CASE_MANAGEMENT_ROLES)
    ).exists()


def _event(
    hold: DivertedChargeHold,
    kind: str,
    *,
    actor: User | None,
    at: dt.datetime | None = None,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
    reason: str = "",
) -> HoldEvent:
    return HoldEvent.objects.create(
        hold=hold,
        kind=kind,
        at=at or timezone.now(),
        by=_known(actor),
        from_date=from_date,
        to_date=to_date,
        reason=reason,
    )


def _audit_hold(actor: User | None, hold: DivertedChargeHold, action: str, **detail: str) -> None:
    audit_record(
        actor=actor,
        site=hold.site_id,
        action=action,
        target=hold,
        category=Category.LEGAL,
        purpose=Purpose.LEGAL_COORDINATION,
        detail={"person": str(hold.person.public_id), **detail},
    )


@transaction.atomic
def hold_create(
    *,
    actor: User | None,
    site: Site,
    person: Person,
    prosecutor_organization: Organization,
    charge_summary: str,
    incident_on: dt.date,
    deadline: dt.date,
    case_manager: User | None = None,
) -> DivertedChargeHold:
    """Put a diverted charge in the prosecutor's queue until `deadline` (the caller reads
    the site's intake deadline from its policy)."""
    errors: dict[str, list[str]] = {}
    charge_summary = charge_summary.strip()
    if not charge_summary:
        errors.setdefault("charge_summary", []).append("Say which charge is held.")
    if person.site_id != site.pk:
        errors.setdefault("person", []).append("The person belongs to another site.")
    if person.merged_into_id is not None:
        errors.setdefault("person", []).append(
            "This record was merged into another; hold the charge on the record kept."
        )
    if prosecutor_organization.site_id != site.pk:
        errors.setdefault("prosecutor_organization", []).append(
            "The prosecutor's office belongs to another site."
        )
    elif prosecutor_organization.kind != Organization.Kind.PROSECUTOR:
        errors.setdefault("prosecutor_organization", []).append(
            f"{prosecutor_organization} is not a prosecutor's office."
        )
    if deadline <= incident_on:
        errors.setdefault("deadline", []).append("The deadline must come after the incident.")
    if case_manager is not None and not _is_case_manager_at(case_manager, site.pk):
        errors.setdefault("case_manager", []).append(
            "The case manager does not work at a case-management provider of this site."
        )
    if errors:
        raise ValidationError(errors)
    hold = DivertedChargeHold(
        site=site,
        person=person,
        prosecutor_organization=prosecutor_organization,
        case_manager=case_manager,
        charge_summary=charge_summary,
        incident_on=incident_on,
        deadline=deadline,
    )
    hold.full_clean()
    hold.save()
    _event(hold, HoldEvent.Kind.CREATED, actor=actor, to_date=deadline)
    if case_manager is not None:
        _event(hold, HoldEvent.Kind.ASSIGNED, actor=actor)
    _audit_hold(
        actor,
        hold,
        "hold.created",
        prosecutor_organization=str(prosecutor_organization.public_id),
        deadline=deadline.isoformat(),
    )
    return hold


def _locked(hold: DivertedChargeHold) -> DivertedChargeHold:
    # Lock the row and read it again: a decision taken meanwhile by someone else counts.
    return (
        DivertedChargeHold.objects.select_for_update(of=("self",))
        .select_related("person", "site")
        .get(pk=hold.pk)
    )


def _refuse_if_decided(hold: DivertedChargeHold) -> None:
    if not hold.is_open:
        assert hold.disposed_at is not None
        decided_on = timezone.localtime(
            hold.disposed_at, zoneinfo.ZoneInfo(hold.site.time_zone)
        ).date()
        raise ValidationError(
            f"This hold was already {hold.get_disposition_display().lower()} on "
            f"{date_format(decided_on)}; that decision is final."
        )


@transaction.atomic
def hold_assign_case_manager(
    *, actor: User | None, hold: DivertedChargeHold, user: User
) -> DivertedChargeHold:
    """Make `user` the case manager reminded before the deadline. A new case manager is
    reminded even if the one before already was."""
    locked = _locked(hold)
    _refuse_if_decided(locked)
    if not _is_case_manager_at(user, locked.site_id):
        raise ValidationError(
            "The case manager does not work at a case-management provider of this site."
        )
    if locked.case_manager_id == user.pk:
        raise ValidationError("This case manager is already assigned.")
    locked.case_manager = user
    locked.reminded_at = None
    locked.full_clean()
    locked.save(update_fields=["case_manager", "reminded_at", "updated_at"])
    _event(locked, HoldEvent.Kind.ASSIGNED, actor=actor)
    _audit_hold(actor, locked, "hold.case_manager_assigned")
    return locked


@transaction.atomic
def hold_intake_completed(
    *, actor: User | None, hold: DivertedChargeHold, on: dt.date
) -> DivertedChargeHold:
    """Record that the person completed the intake on `on`. The hold stays as it is: the
    prosecutor decides it (usually declines). No reminder is sent after this."""
    locked = _locked(hold)
    if locked.intake_completed_on is not None:
        raise ValidationError(
            f"The intake is already recorded as completed on "
            f"{date_format(locked.intake_completed_on)}."
        )
    if on > locked.site.today():
        raise ValidationError("The intake date cannot be in the future.")
    if on < locked.incident_on:
        raise ValidationError("The intake cannot come before the incident.")
    locked.intake_completed_on = on
    locked.full_clean()
    locked.save(update_fields=["intake_completed_on", "updated_at"])
    _event(locked, HoldEvent.Kind.INTAKE_COMPLETED, actor=actor, to_date=on)
    _audit_hold(actor, locked, "hold.intake_completed", on=on.isoformat())
    return locked


@transaction.atomic
def hold_dispose(
    *,
    actor: User | None,
    hold: DivertedChargeHold,
    disposition: str,
    reason: str,
    extended_to: dt.date | None = None,
) -> DivertedChargeHold:
    """The prosecutor's decision. Declined and filed are final; extended moves the deadline
    to a later date, keeps the hold open and lets the reminder and the deadline notice
    go out again. Two prosecutors deciding at once get one decision: the second is refused."""
    reason = reason.strip()
    if disposition not in DISPOSITIONS:
        raise ValidationError("Choose one: decline, file, or extend the deadline.")
    if not reason:
        raise ValidationError("Give a reason for the decision.")
    if disposition == "extended" and extended_to is None:
        raise ValidationError("Give the new deadline.")
    if disposition != "extended" and extended_to is not None:
        raise ValidationError("A new deadline goes with an extension only.")
    locked = _locked(hold)
    _refuse_if_decided(locked)
    now = timezone.now()
    if disposition == "extended":
        assert extended_to is not None
        if extended_to <= locked.deadline:
            raise ValidationError(
                f"The new deadline must come after the current one "
                f"({date_format(locked.deadline)})."
            )
        if extended_to < locked.site.today():
            raise ValidationError("The new deadline cannot be in the past.")
        before = locked.deadline
        locked.deadline = extended_to
        locked.reminded_at = None
        locked.deadline_notice_at = None
        locked.full_clean()
        locked.save(update_fields=["deadline", "reminded_at", "deadline_notice_at", "updated_at"])
        _event(
            locked,
            HoldEvent.Kind.EXTENDED,
            actor=actor,
            at=now,
            from_date=before,
            to_date=extended_to,
            reason=reason,
        )
        _audit_hold(
            actor,
            locked,
            "hold.extended",
            from_date=before.isoformat(),
            to_date=extended_to.isoformat(),
        )
        return locked
    locked.disposition = disposition
    locked.disposition_reason = reason
    locked.disposed_at = now
    locked.disposed_by = _known(actor)
    locked.full_clean()
    locked.save(
        update_fields=[
            "disposition",
            "disposition_reason",
            "disposed_at",
            "disposed_by",
            "updated_at",
        ]
    )
    _event(locked, disposition, actor=actor, at=now, reason=reason)
    _audit_hold(actor, locked, f"hold.{disposition}")
    return locked


@transaction.atomic
def hold_mark_reminded(*, hold: DivertedChargeHold, at: dt.datetime) -> None:
    """The sweep told the case manager (called inside the sweep's transaction)."""
    hold.reminded_at = at
    hold.save(update_fields=["reminded_at", "updated_at"])
    _event(hold, HoldEvent.Kind.REMINDED, actor=None, at=at, to_date=hold.deadline)
    _audit_hold(None, hold, "hold.reminded", deadline=hold.deadline.isoformat())


@transaction.atomic
def hold_mark_deadline_notice(*, hold: DivertedChargeHold, at: dt.datetime) -> None:
    """The sweep told the prosecutor's office (called inside the sweep's transaction)."""
    hold.deadline_notice_at = at
    hold.save(update_fields=["deadline_notice_at", "updated_at"])
    _event(hold, HoldEvent.Kind.DEADLINE_NOTICE, actor=None, at=at, to_date=hold.deadline)
    _audit_hold(None, hold, "hold.deadline_notice", deadline=hold.deadline.isoformat())


# The status for legal partners ---------------------------------------------------------


@transaction.atomic
def legal_status_write(
    *,
    actor: User | None,
    person: Person,
    written_by_organization: Organization,
    engagement: str,
    progress: str,
    barriers: Iterable[str],
    note: str = "",
) -> LegalStatusSummary:
    """A new status for legal partners; the one before stays as history."""
    errors: dict[str, list[str]] = {}
    note = status_note_normalised(note)
    chosen = sorted(set(barriers))
    if engagement not in LegalStatusSummary.Engagement.values:
        errors.setdefault("engagement", []).append("Choose how the participant is engaged.")
    if progress not in LegalStatusSummary.Progress.values:
        errors.setdefault("progress", []).append("Choose how the participant is doing.")
    unknown = set(chosen) - set(LegalStatusSummary.Barrier.values)
    if unknown:
        errors.setdefault("barriers", []).append("Choose barriers from the list only.")
    if len(note) > LegalStatusSummary.NOTE_MAX_LENGTH:
        errors.setdefault("note", []).append(
            f"Keep the sentence to {LegalStatusSummary.NOTE_MAX_LENGTH} characters "
            f"(it has {len(note)})."
        )
    holder = holding_provider(person)
    if holder is None or holder.pk != written_by_organization.pk:
        errors.setdefault("written_by_organization", []).append(
            "Only the provider holding the participant's enrollment writes their status."
        )
    if errors:
        raise ValidationError(errors)
    summary = LegalStatusSummary(
        site_id=person.site_id,
        person=person,
        written_by_organization=written_by_organization,
        written_by=_known(actor),
        written_at=timezone.now(),
        engagement=engagement,
        progress=progress,
        barriers=chosen,
        note=note,
    )
    summary.full_clean()
    summary.save()
    audit_record(
        actor=actor,
        site=person.site_id,
        action="legal_status.written",
        target=summary,
        category=Category.LEGAL,
        purpose=Purpose.CARE_COORDINATION,
        detail={"person": str(person.public_id)},
    )
    return summary


# Golden-Rule letters -----------------------------------------------------------------------


@transaction.atomic
def letter_issue(
    *,
    actor: User | None,
    person: Person,
    issued_by_organization: Organization,
    recipient_organization: Organization,
    template: str,
    addressee: str,
    summary_id: uuid.UUID | None = None,
) -> Letter:
    """Issue a Golden-Rule letter and keep its text exactly as issued. Refuses, changing
    nothing, unless the issuer holds the participant, a status summary exists (and is still
    the one previewed, when `summary_id` says which), and a current release names the
    recipient for legal information."""
    draft = letter_draft(
        person=person,
        issuer=issued_by_organization,
        recipient=recipient_organization,
        template=template,
        addressee=addressee,
        issued_by=_known(actor),
        today=person.site.today(),
    )
    if draft.refusals:
        raise ValidationError(draft.refusals)
    assert draft.summary is not None
    assert draft.consent is not None
    if summary_id is not None and draft.summary.public_id != summary_id:
        raise ValidationError(
            "The status for legal partners changed since the preview. Check the new preview, "
            "then issue the letter."
        )
    letter = Letter(
        site_id=person.site_id,
        person=person,
        recipient_organization=recipient_organization,
        consent=draft.consent,
        summary=draft.summary,
        template=template,
        addressee=addressee.strip(),
        text=draft.text,
        issued_by=_known(actor),
        issued_by_organization=issued_by_organization,
        issued_at=timezone.now(),
    )
    letter.full_clean()
    letter.save()
    audit_record(
        actor=actor,
        site=person.site_id,
        action="letter.issued",
        target=letter,
        category=Category.LEGAL,
        purpose=Purpose.CARE_COORDINATION,
        detail={
            "person": str(person.public_id),
            "recipient": str(recipient_organization.public_id),
            "consent": str(draft.consent.public_id),
            "summary": str(draft.summary.public_id),
            "template": template,
        },
    )
    return letter
