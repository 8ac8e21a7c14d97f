"""The intake: from an approved referral, the case manager's provider assesses the person
across the domains, takes the release of information, records the baseline outcomes, and
completing it enrolls the person (tandem.referrals.services.referral_enroll, which marks the
referral enrolled and tells any diverted-charge hold).

The release is a precondition (DOMAIN.md §5: entry needs only an intake and a signed
release; docs/adr/0004-intake-needs-a-release.md): an intake completes only with a current
release recorded by the provider doing it. A participant who declines to sign is recorded,
with their reason, and the intake waits (they may sign before the deadline) or is closed
with the referral marked "declined by the person"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from tandem.access.decisions import Capability, IntakeSubject, can, decide
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.holding import enrollment_check_held, open_enrollment_of
from tandem.casework.models import Enrollment
from tandem.casework.support.domains import DOMAIN_CATEGORY, DOMAIN_ORDER, Domain, clean_answers
from tandem.casework.support.models import (
    SNAPSHOT_FIELDS,
    Assessment,
    AssessmentAnswer,
    OutcomeSnapshot,
)
from tandem.casework.support.outcomes import Outcomes
from tandem.consent.models import Consent
from tandem.consent.services import GrantInput, Part2Elements, consent_record
from tandem.referrals.models import Referral
from tandem.referrals.services import referral_enroll, referral_move
from tandem.referrals.states import OPEN_AFTER_APPROVAL
from tandem.tenancy.models import Organization

HELD_ELSEWHERE = "Another provider holds this participant's enrollment: they go on with them."
# What the baseline holds: every measure of an outcome snapshot.
BASELINE_CATEGORIES = tuple(dict.fromkeys(category for _, _, category in SNAPSHOT_FIELDS))


def _check_team(viewer: Viewer) -> None:
    if not can(viewer, Capability.WRITE_CASEWORK) or viewer.organization_kind != (
        Organization.Kind.CASE_MANAGEMENT
    ):
        raise ValidationError("Only a case-management team does an intake.")


def _check_not_held_elsewhere(viewer: Viewer, enrollment: Enrollment | None) -> None:
    """An intake is done by whoever will hold the participant: nobody else may hold them."""
    if enrollment is not None:
        enrollment_check_held(
            viewer=viewer,
            enrollment=enrollment,
            capability=Capability.WRITE_CASEWORK,
            refusal=HELD_ELSEWHERE,
        )


def _locked(assessment: Assessment, viewer: Viewer) -> Assessment:
    """The draft, locked, for the viewer's team to write to: its own provider's intake of
    a person no other provider holds."""
    _check_team(viewer)
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("person", "site", "referral", "organization")
        .get(pk=assessment.pk)
    )
    if locked.organization_id != viewer.organization_id:
        raise ValidationError("Another provider is doing this intake.")
    if locked.status != Assessment.Status.DRAFT:
        raise ValidationError(f"This intake is {locked.get_status_display().lower()}.")
    _check_not_held_elsewhere(viewer, open_enrollment_of(locked.person_id))
    return locked


def _check_category(viewer: Viewer, assessment: Assessment, category: Category, what: str) -> None:
    """decide() on one category of what the draft records, as the intake's pages ask it:
    the provider doing the intake stands as the participant's holder meanwhile
    (`tandem.access.decisions.intake_subject`; `_locked` has refused anyone else's)."""
    subject = IntakeSubject(
        site_id=assessment.site_id,
        holding_organization_id=assessment.organization_id,
        holder_is_part2=assessment.organization.is_part2_program,
    )
    decision = decide(
        viewer=viewer, person=subject, category=category, purpose=Purpose.CARE_COORDINATION
    )
    if not decision:
        raise ValidationError(
            f"{what} is {category.label.lower()} information, which you may not record: "
            f"{decision.reason}"
        )


@transaction.atomic
def intake_start(*, actor: User, viewer: Viewer, referral: Referral) -> Assessment:
    """The viewer's provider starts the intake of an approved referral, or goes on with the
    draft it started. One draft per referral: another provider's draft is refused."""
    _check_team(viewer)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=referral.pk)
    )
    if referral.site_id != viewer.site_id:
        raise ValidationError("The referral belongs to another site.")
    if referral.status not in OPEN_AFTER_APPROVAL:
        raise ValidationError(
            f"An intake starts from an approved referral; this one is "
            f"{referral.get_status_display().lower()}."
        )
    if referral.person is None:
        raise ValidationError(
            "Link the referral to a person first, on the referral page: the intake is about "
            "someone on record."
        )
    draft = Assessment.objects.filter(referral=referral, status=Assessment.Status.DRAFT).first()
    if draft is not None:
        if draft.organization_id != viewer.organization_id:
            raise ValidationError("Another provider is doing this intake.")
        return draft
    _check_not_held_elsewhere(viewer, open_enrollment_of(referral.person))
    assessment = Assessment(
        site_id=referral.site_id,
        person=referral.person,
        referral=referral,
        organization_id=viewer.organization_id,
        started_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        site=referral.site_id,
        action="assessment.started",
        target=assessment,
        category="casework",
        purpose=Purpose.CARE_COORDINATION,
        detail={"referral": str(referral.public_id), "person": str(referral.person.public_id)},
    )
    return assessment


@transaction.atomic
def intake_answer_save(
    *,
    actor: User,
    viewer: Viewer,
    assessment: Assessment,
    domain: str,
    discussed: str,
    answers: Mapping[str, Any],
    notes: str,
) -> AssessmentAnswer:
    """Save one domain of a draft. Saving it again keeps the earlier answer (superseded);
    saving the same answer again changes nothing."""
    assessment = _locked(assessment, viewer)
    if domain not in Domain.values:
        raise ValidationError("There is no such domain.")
    # A domain is information of its own category (health, substance use, ...), decided
    # as such, not as the intake's casework.
    _check_category(viewer, assessment, DOMAIN_CATEGORY[domain], Domain(domain).label)
    if discussed not in AssessmentAnswer.Discussed.values:
        raise ValidationError({"discussed": "Say whether this was talked about."})
    clean = clean_answers(domain, dict(answers))
    notes = notes.strip()
    current = AssessmentAnswer.objects.filter(
        assessment=assessment, domain=domain, superseded_at__isnull=True
    ).first()
    if current is not None:
        if (current.discussed, current.answers, current.notes) == (discussed, clean, notes):
            return current
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at", "updated_at"])
    answer = AssessmentAnswer(
        assessment=assessment,
        domain=domain,
        category=DOMAIN_CATEGORY[domain],
        discussed=discussed,
        answers=clean,
        notes=notes,
        recorded_by=actor,
        recorded_by_organization_id=assessment.organization_id,
    )
    answer.full_clean()
    answer.save()
    audit_record(
        actor=actor,
        site=assessment.site_id,
        action="assessment.answer_saved",
        target=assessment,
        category=str(DOMAIN_CATEGORY[domain]),
        purpose=Purpose.CARE_COORDINATION,
        detail={"domain": domain, "replaces": str(current.public_id) if current else ""},
    )
    return answer


@transaction.atomic
def intake_baseline_save(
    *, actor: User, viewer: Viewer, assessment: Assessment, outcomes: Outcomes
) -> Assessment:
    """The baseline outcomes of a draft; they become its first snapshot on completion. It
    holds every measure of a snapshot, so the viewer must be allowed each one's category."""
    assessment = _locked(assessment, viewer)
    for category in BASELINE_CATEGORIES:
        _check_category(viewer, assessment, category, "The baseline")
    outcomes.check()
    assessment.baseline = outcomes.to_dict()
    assessment.save(update_fields=["baseline", "updated_at"])
    audit_record(
        actor=actor,
        site=assessment.site_id,
        action="assessment.baseline_saved",
        target=assessment,
        category="casework",
        purpose=Purpose.CARE_COORDINATION,
    )
    return assessment


def current_release(*, assessment: Assessment, on: dt.date) -> Consent | None:
    """The newest release recorded by the provider doing the intake that is in effect on
    `on`, not revoked, and still names at least one organisation."""
    return (
        Consent.objects.filter(
            person_id=assessment.person_id,
            recorded_by_organization_id=assessment.organization_id,
            revoked_at__isnull=True,
            effective_on__lte=on,
            expires_on__gte=on,
            grants__revoked_at__isnull=True,
        )
        .order_by("-effective_on", "-id")
        .first()
    )


@transaction.atomic
def intake_release_record(
    *,
    actor: User,
    viewer: Viewer,
    assessment: Assessment,
    grants: Sequence[GrantInput],
    purpose: str,
    purpose_text: str,
    effective_on: dt.date,
    expires_on: dt.date | None,
    signed_name: str,
    signature_drawn: str = "",
    signature_scan: File[bytes] | None = None,
    witness_name: str = "",
    part2: Part2Elements | None = None,
) -> Consent:
    """Record the release through the consent app's own service, by the provider doing
    the intake, and let the intake rely on it."""
    assessment = _locked(assessment, viewer)
    consent = consent_record(
        actor=actor,
        person=assessment.person,
        recorded_by_organization=assessment.organization,
        grants=grants,
        purpose=purpose,
        purpose_text=purpose_text,
        effective_on=effective_on,
        expires_on=expires_on,
        signed_name=signed_name,
        signature_drawn=signature_drawn,
        signature_scan=signature_scan,
        witness_name=witness_name,
        part2=part2,
    )
    assessment.release = consent
    assessment.release_declined_at = None
    assessment.release_declined_reason = ""
    assessment.save(
        update_fields=["release", "release_declined_at", "release_declined_reason", "updated_at"]
    )
    audit_record(
        actor=actor,
        site=assessment.site_id,
        action="assessment.release_recorded",
        target=assessment,
        category="casework",
        purpose=Purpose.CARE_COORDINATION,
        detail={"consent": str(consent.public_id)},
    )
    return consent


@transaction.atomic
def intake_release_declined(
    *,
    actor: User,
    viewer: Viewer,
    assessment: Assessment,
    reason: str,
    close: bool,
) -> Assessment:
    """The participant declined to sign. Recorded with their reason; the intake cannot
    complete without a release, so it waits (they may sign before the deadline) or, with
    `close`, is closed and the referral marked declined by the person."""
    assessment = _locked(assessment, viewer)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say, in a few words, what the participant said."})
    now = timezone.now()
    assessment.release_declined_at = now
    assessment.release_declined_reason = reason
    fields = ["release_declined_at", "release_declined_reason", "updated_at"]
    if close:
        if assessment.referral is None:
            raise ValidationError("This assessment was not made from a referral.")
        referral_move(
            actor=actor,
            viewer=viewer,
            referral=assessment.referral,
            name="person_declined",
            reason=f"Declined to sign the release of information: {reason}",
        )
        assessment.status = Assessment.Status.CLOSED
        assessment.closed_reason = reason
        fields += ["status", "closed_reason"]
    assessment.save(update_fields=fields)
    audit_record(
        actor=actor,
        site=assessment.site_id,
        action="assessment.release_declined",
        target=assessment,
        category="casework",
        purpose=Purpose.CARE_COORDINATION,
        detail={"closed": close},
    )
    return assessment


def missing_for_completion(assessment: Assessment, *, on: dt.date) -> list[str]:
    """What still stands between the draft and its completion, in plain words."""
    missing = []
    saved = set(
        AssessmentAnswer.objects.filter(
            assessment=assessment, superseded_at__isnull=True
        ).values_list("domain", flat=True)
    )
    labels = dict(Domain.choices)
    not_saved = [labels[domain] for domain in DOMAIN_ORDER if domain not in saved]
    if not_saved:
        missing.append(f"Go through every domain (not yet: {', '.join(not_saved)}).")
    if not assessment.baseline:
        missing.append("Record the baseline outcomes.")
    if current_release(assessment=assessment, on=on) is None:
        missing.append(
            "Record a release of information signed by the participant (recorded by "
            f"{assessment.organization.name}, in effect on {on:%Y-%m-%d})."
        )
    return missing


@transaction.atomic
def intake_complete(
    *, actor: User, viewer: Viewer, assessment: Assessment, on: dt.date
) -> Assessment:
    """Complete the intake on `on`: enroll the person with the viewer's provider, mark the
    referral enrolled, tell any diverted-charge hold, and take the first outcome snapshot.
    All of it, or (on any refusal) none of it."""
    assessment = _locked(assessment, viewer)
    if on > assessment.site.today():
        raise ValidationError({"on": "The intake date is in the future."})
    referral = assessment.referral
    if referral is None:
        raise ValidationError("This assessment was not made from a referral.")
    if on < assessment.site.today(referral.occurred_at):
        raise ValidationError({"on": "The intake date is before the referral."})
    missing = missing_for_completion(assessment, on=on)
    if missing:
        raise ValidationError(missing)
    if referral.person_id != assessment.person_id:
        raise ValidationError(
            "The referral now names another person than this intake: start the intake again."
        )
    referral = referral_enroll(actor=actor, viewer=viewer, referral=referral, on=on)
    enrollment = referral.enrollment
    assert enrollment is not None
    _check_not_held_elsewhere(viewer, enrollment)
    baseline = Outcomes.from_dict(assessment.baseline)
    baseline.check()
    snapshot = OutcomeSnapshot(
        site_id=assessment.site_id,
        person_id=assessment.person_id,
        enrollment=enrollment,
        assessment=assessment,
        taken_on=on,
        source=OutcomeSnapshot.Source.INTAKE,
        recorded_by=actor,
        recorded_by_organization_id=assessment.organization_id,
        **{**baseline.to_dict(), "income_benefits": list(baseline.income_benefits)},
    )
    snapshot.full_clean()
    snapshot.save()
    assessment.release = current_release(assessment=assessment, on=on)
    assessment.enrollment = enrollment
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_on = on
    assessment.completed_by = actor
    assessment.save()
    audit_record(
        actor=actor,
        site=assessment.site_id,
        action="assessment.completed",
        target=assessment,
        category="enrollment",
        purpose=Purpose.CARE_COORDINATION,
        detail={
            "referral": str(referral.public_id),
            "enrollment": str(enrollment.public_id),
            "snapshot": str(snapshot.public_id),
            "release": str(assessment.release.public_id) if assessment.release else "",
        },
    )
    return assessment
