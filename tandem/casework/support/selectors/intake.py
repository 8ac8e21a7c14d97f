"""Reads of the intake and of assessments. While the intake is under way nobody holds the
person yet; the decision is asked with `intake_subject()`, under which the provider doing
the intake stands as the holder of it (tandem/access/decisions.py). Each answer is shown
only if decide() allows its domain's category and the Part 2 rule allows its recorder."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Subquery
from django.utils import timezone

from tandem.access.decisions import (
    Capability,
    Subject,
    allowed_categories,
    can,
    intake_subject,
    recorded_by_visible,
    recorded_item_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.audit.services import audit_read
from tandem.casework.support.domains import (
    DOMAIN_CATEGORY,
    DOMAIN_ORDER,
    QUESTIONS,
    Domain,
    Question,
    answer_labels,
)
from tandem.casework.support.models import SNAPSHOT_FIELDS, Assessment, AssessmentAnswer
from tandem.casework.support.selectors.participant import (
    PURPOSE,
    Participant,
    disclose_read,
    people_for_casework,
)
from tandem.consent.models import Consent
from tandem.consent.selectors import RECIPIENT_KINDS, STATUS_LABELS, RecipientChoice
from tandem.consent.services import categories_allowed_for, default_categories_for
from tandem.referrals.models import Referral
from tandem.referrals.selectors import referrals_visible
from tandem.referrals.states import OPEN_AFTER_APPROVAL
from tandem.tenancy.models import Organization

# The steps of the intake, in order: every domain, then the release, then the baseline.
RELEASE_STEP = "release"
BASELINE_STEP = "baseline"
STEPS: tuple[str, ...] = (*DOMAIN_ORDER, RELEASE_STEP, BASELINE_STEP)
STEP_LABELS = {**dict(Domain.choices), RELEASE_STEP: "Release of information"} | {
    BASELINE_STEP: "Outcomes today"
}
# The baseline holds every measure of an outcome snapshot, of these categories.
BASELINE_CATEGORIES = frozenset(category for _, _, category in SNAPSHOT_FIELDS)


@dataclass(frozen=True, slots=True)
class StepShown:
    slug: str
    label: str
    done: bool
    number: int


@dataclass(frozen=True, slots=True)
class IntakeContext:
    """The referral, its intake (if started) and the person, as the viewer may see them."""

    referral: Referral
    assessment: Assessment | None
    participant: Participant | None
    # Why the intake cannot start (the referral is not approved, nobody is linked, ...).
    blocked: str = ""
    # The person as the decision sees them during the intake (`intake_subject`).
    subject: Subject | None = None

    @property
    def draft(self) -> Assessment | None:
        if self.assessment is not None and self.assessment.status == Assessment.Status.DRAFT:
            return self.assessment
        return None


def _intake_context(*, viewer: Viewer, referral_id: uuid.UUID) -> IntakeContext:
    if not can(viewer, Capability.WRITE_CASEWORK) or viewer.organization_kind != (
        Organization.Kind.CASE_MANAGEMENT
    ):
        raise OutOfScope("No such page.")
    assessment = (
        Assessment.objects.filter(
            referral__public_id=referral_id, referral__in=referrals_visible(viewer)
        )
        .select_related("referral", "organization", "referral__hold", "site")
        .order_by("-created_at")
        .first()
    )
    if assessment is not None:
        referral = assessment.referral
        assert referral is not None
        if assessment.organization_id != viewer.organization_id:
            # Another provider's intake is theirs (and may be a Part 2 programme's).
            raise OutOfScope("No such page.")
    else:
        referral = (
            referrals_visible(viewer).select_related("hold").filter(public_id=referral_id).first()
        )
        if referral is None:
            raise OutOfScope("No such referral.")
    if referral.person_id is None:
        return IntakeContext(
            referral,
            assessment,
            None,
            blocked="Link the referral to a person first, on the referral page.",
        )
    person = (
        people_for_casework(viewer)
        .annotate(
            viewer_org_part2=Subquery(
                Organization.objects.filter(pk=viewer.organization_id).values("is_part2_program")
            )
        )
        .filter(pk=referral.person_id)
        .first()
    )
    if person is None:
        raise OutOfScope("No such person.")
    organization_id = assessment.organization_id if assessment else viewer.organization_id
    if assessment is not None:
        part2 = assessment.organization.is_part2_program
    else:
        part2 = bool(person.viewer_org_part2)
    subject = intake_subject(
        cast(Subject, person), intake_organization_id=organization_id, intake_is_part2=part2
    )
    categories = allowed_categories(viewer=viewer, person=subject, purpose=PURPOSE)
    if Category.CASEWORK not in categories:
        # The person is held by another provider: the intake is theirs to do.
        raise OutOfScope("No such page.")
    participant = Participant(person=person, categories=categories, may_write=True)
    blocked = ""
    if assessment is None and referral.status not in OPEN_AFTER_APPROVAL:
        blocked = (
            "An intake starts from an approved referral; this one is "
            f"{referral.get_status_display().lower()}."
        )
    return IntakeContext(referral, assessment, participant, blocked, subject)


@dataclass(frozen=True, slots=True)
class ReleaseShown:
    public_id: uuid.UUID
    effective_on: dt.date
    expires_on: dt.date
    status_label: str
    is_current: bool


@dataclass(frozen=True, slots=True)
class IntakePage:
    context: IntakeContext
    steps: list[StepShown]
    missing: list[str]
    current_release: ReleaseShown | None
    today: dt.date

    @property
    def next_step(self) -> StepShown | None:
        return next((step for step in self.steps if not step.done), None)


def _releases(assessment: Assessment) -> list[ReleaseShown]:
    today = timezone.localdate()
    rows = Consent.objects.filter(
        person_id=assessment.person_id, recorded_by_organization_id=assessment.organization_id
    ).order_by("-effective_on", "-id")[:20]
    return [
        ReleaseShown(
            public_id=consent.public_id,
            effective_on=consent.effective_on,
            expires_on=consent.expires_on,
            status_label=STATUS_LABELS[consent.status_on(today)],
            is_current=consent.status_on(today) == "current",
        )
        for consent in rows
    ]


def intake_page(*, viewer: Viewer, referral_id: uuid.UUID) -> IntakePage:
    """The intake's overview: the steps done and to do, and what completion still needs."""
    context = _intake_context(viewer=viewer, referral_id=referral_id)
    draft = context.draft
    today = timezone.localdate()
    steps: list[StepShown] = []
    missing: list[str] = []
    current = None
    if draft is not None:
        saved = set(
            AssessmentAnswer.objects.filter(
                assessment=draft, superseded_at__isnull=True
            ).values_list("domain", flat=True)
        )
        current = next((release for release in _releases(draft) if release.is_current), None)
        done = {RELEASE_STEP: current is not None, BASELINE_STEP: bool(draft.baseline)}
        steps = [
            StepShown(slug, STEP_LABELS[slug], slug in saved or done.get(slug, False), n)
            for n, slug in enumerate(STEPS, start=1)
        ]
        missing = [f"{step.label}." for step in steps if not step.done]
    if context.participant is not None:
        disclose_read(
            viewer=viewer,
            participant=context.participant,
            shown=[Category.CASEWORK],
            action="assessment.viewed",
            category=Category.CASEWORK,
            referral=str(context.referral.public_id),
        )
    return IntakePage(
        context=context, steps=steps, missing=missing, current_release=current, today=today
    )


def intake_for_change(*, viewer: Viewer, referral_id: uuid.UUID) -> IntakeContext:
    """The intake, for the viewer's team to write to (no read is shown, none audited)."""
    return _intake_context(viewer=viewer, referral_id=referral_id)


def _check_sees(
    context: IntakeContext, viewer: Viewer, categories: frozenset[str], step: str
) -> None:
    """OutOfScope (audited) unless decide() allows the viewer every one of `categories`
    during this intake: a domain is information of its own category (health, substance
    use, financial, legal), not the intake's casework."""
    participant = context.participant
    if participant is not None and all(participant.sees(c) for c in categories):
        return
    if participant is not None:
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=participant.person,
            purpose=PURPOSE,
            detail={"page": "intake", "step": step},
        )
    raise OutOfScope("No such step.")


def intake_domain_for_change(*, viewer: Viewer, referral_id: uuid.UUID, domain: str) -> Assessment:
    """The draft, for the viewer's team to save one domain's answers to: only if decide()
    allows the viewer that domain's category."""
    if domain not in Domain.values:
        raise OutOfScope("No such step.")
    context = _intake_context(viewer=viewer, referral_id=referral_id)
    if context.draft is None:
        raise OutOfScope("No such intake.")
    _check_sees(context, viewer, frozenset({DOMAIN_CATEGORY[domain]}), domain)
    return context.draft


@dataclass(frozen=True, slots=True)
class DomainStep:
    context: IntakeContext
    draft: Assessment
    domain: str
    label: str
    questions: tuple[Question, ...]
    current: AssessmentAnswer | None
    number: int
    previous: str | None
    following: str | None


def step_neighbours(slug: str) -> tuple[int, str | None, str | None]:
    index = STEPS.index(slug)
    previous = STEPS[index - 1] if index > 0 else None
    following = STEPS[index + 1] if index + 1 < len(STEPS) else None
    return index + 1, previous, following


def intake_domain_step(*, viewer: Viewer, referral_id: uuid.UUID, domain: str) -> DomainStep:
    """One domain of a draft intake, with what was saved for it."""
    if domain not in Domain.values:
        raise OutOfScope("No such step.")
    context = _intake_context(viewer=viewer, referral_id=referral_id)
    draft = context.draft
    if draft is None or context.participant is None or context.subject is None:
        raise OutOfScope("No such step.")
    category = DOMAIN_CATEGORY[domain]
    _check_sees(context, viewer, frozenset({category}), domain)
    current = (
        AssessmentAnswer.objects.filter(assessment=draft, domain=domain, superseded_at__isnull=True)
        .select_related("recorded_by_organization")
        .first()
    )
    if current is not None and not recorded_item_visible(
        viewer=viewer,
        person=context.subject,
        category=Category(current.category),
        purpose=PURPOSE,
        recorder_organization_id=current.recorded_by_organization_id,
        recorder_is_part2=current.recorded_by_organization.is_part2_program,
    ):
        raise OutOfScope("No such step.")
    disclose_read(
        viewer=viewer,
        participant=context.participant,
        shown=[DOMAIN_CATEGORY[domain]],
        action="assessment.viewed",
        category=DOMAIN_CATEGORY[domain],
        domain=domain,
    )
    number, previous, following = step_neighbours(domain)
    return DomainStep(
        context=context,
        draft=draft,
        domain=domain,
        label=STEP_LABELS[domain],
        questions=QUESTIONS[domain],
        current=current,
        number=number,
        previous=previous,
        following=following,
    )


@dataclass(frozen=True, slots=True)
class ReleaseStep:
    context: IntakeContext
    draft: Assessment
    releases: list[ReleaseShown]
    recipients: list[RecipientChoice]
    recorder: Organization
    # The consent app's own page works once the provider holds the participant.
    consent_page_open: bool
    number: int
    previous: str | None
    following: str | None

    @property
    def current(self) -> ReleaseShown | None:
        return next((release for release in self.releases if release.is_current), None)


def intake_release_step(*, viewer: Viewer, referral_id: uuid.UUID) -> ReleaseStep:
    context = _intake_context(viewer=viewer, referral_id=referral_id)
    draft = context.draft
    if draft is None or context.participant is None:
        raise OutOfScope("No such step.")
    releases = _releases(draft)
    organizations = list(
        Organization.objects.filter(site_id=viewer.site_id, kind__in=RECIPIENT_KINDS).order_by(
            "name"
        )
    )
    recipients = [
        RecipientChoice(
            organization=organization,
            allowed=[
                (c, label)
                for c, label in Category.choices
                if c in categories_allowed_for(organization)
            ],
            defaults=frozenset(default_categories_for(organization)),
        )
        for organization in organizations
        if organization.pk != draft.organization_id
    ]
    disclose_read(
        viewer=viewer,
        participant=context.participant,
        shown=[Category.CASEWORK],
        action="assessment.viewed",
        category=Category.CASEWORK,
        step=RELEASE_STEP,
    )
    number, previous, following = step_neighbours(RELEASE_STEP)
    holder = context.participant.person.holding_organization_id  # type: ignore[attr-defined]
    return ReleaseStep(
        context=context,
        draft=draft,
        releases=releases,
        recipients=recipients,
        recorder=draft.organization,
        consent_page_open=holder == viewer.organization_id,
        number=number,
        previous=previous,
        following=following,
    )


@dataclass(frozen=True, slots=True)
class BaselineStep:
    context: IntakeContext
    draft: Assessment
    # What the answers suggest, for measures not saved yet.
    suggested: dict[str, object]
    number: int
    previous: str | None


def intake_baseline_step(*, viewer: Viewer, referral_id: uuid.UUID) -> BaselineStep:
    """The baseline outcomes of a draft, suggested from the answers. It shows (and saves)
    every measure of a snapshot, and reads the answers of domains of those same
    categories, so the viewer must be allowed each of them."""
    context = _intake_context(viewer=viewer, referral_id=referral_id)
    draft = context.draft
    if draft is None or context.participant is None:
        raise OutOfScope("No such step.")
    _check_sees(context, viewer, BASELINE_CATEGORIES, BASELINE_STEP)
    answers = {
        answer.domain: answer.answers
        for answer in AssessmentAnswer.objects.filter(
            assessment=draft,
            superseded_at__isnull=True,
            domain__in=[
                Domain.HOUSING,
                Domain.INCOME,
                Domain.PHYSICAL_HEALTH,
                Domain.SUBSTANCE_USE,
                Domain.EMPLOYMENT,
            ],
        )
    }
    suggested: dict[str, object] = {
        "housing_status": answers.get(Domain.HOUSING, {}).get("where_sleeping"),
        "income_benefits": answers.get(Domain.INCOME, {}).get("sources"),
        "health_insurance": answers.get(Domain.PHYSICAL_HEALTH, {}).get("insurance"),
        "employment": answers.get(Domain.EMPLOYMENT, {}).get("status"),
        "moud": answers.get(Domain.SUBSTANCE_USE, {}).get("moud"),
    }
    disclose_read(
        viewer=viewer,
        participant=context.participant,
        shown=[Category.CASEWORK, Category.FINANCIAL, Category.HEALTH, Category.SUBSTANCE_USE],
        action="assessment.viewed",
        category=Category.CASEWORK,
        step=BASELINE_STEP,
    )
    number, previous, _ = step_neighbours(BASELINE_STEP)
    return BaselineStep(
        context=context,
        draft=draft,
        suggested={k: v for k, v in suggested.items() if v},
        number=number,
        previous=previous,
    )


@dataclass(frozen=True, slots=True)
class AnswerShown:
    domain: str
    domain_label: str
    discussed_label: str
    answers: list[tuple[str, str]]
    notes: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class AssessmentPage:
    public_id: uuid.UUID
    person_id: uuid.UUID
    display_name: str
    status_label: str
    organization: str
    started_at: dt.datetime
    completed_on: dt.date | None
    answers: list[AnswerShown]
    # Domains the viewer may not see are named, not shown, so nobody mistakes them for
    # unanswered; a Part 2 programme's are not even named.
    withheld: list[str]
    referral_id: uuid.UUID | None
    is_draft: bool
    part2_notice: Part2Notice | None = None
    history: list[AnswerShown] = field(default_factory=list)


def assessment_page(*, viewer: Viewer, public_id: uuid.UUID) -> AssessmentPage:
    """One assessment: each domain's current answer that the viewer may see, and the
    earlier answers it replaced."""
    assessment = (
        Assessment.objects.filter(site_id=viewer.site_id, public_id=public_id)
        .select_related("organization", "referral")
        .first()
    )
    if assessment is None:
        raise OutOfScope("No such assessment.")
    person = people_for_casework(viewer).filter(pk=assessment.person_id).first()
    if person is None:
        raise OutOfScope("No such assessment.")
    organization = assessment.organization
    subject = intake_subject(
        cast(Subject, person),
        intake_organization_id=organization.pk,
        intake_is_part2=organization.is_part2_program,
    )
    categories = allowed_categories(viewer=viewer, person=subject, purpose=PURPOSE)
    # Stricter than elsewhere: an assessment's answers never leave the Part 2 programme
    # that took them, release or not (its clinical intake, 42 CFR 2.13).
    recorder_ok = recorded_by_visible(
        viewer=viewer,
        recorder_organization_id=organization.pk,
        recorder_is_part2=organization.is_part2_program,
    )
    if not recorder_ok or not categories & set(DOMAIN_CATEGORY.values()):
        raise OutOfScope("No such assessment.")
    participant = Participant(person=person, categories=categories, may_write=False)
    labels = dict(Domain.choices)
    shown: list[AnswerShown] = []
    history: list[AnswerShown] = []
    seen: set[str] = set()
    rows = AssessmentAnswer.objects.filter(assessment=assessment).select_related("recorded_by")
    for answer in sorted(rows, key=lambda a: (DOMAIN_ORDER.index(a.domain), a.created_at)):
        if answer.category not in categories:
            continue
        item = AnswerShown(
            domain=answer.domain,
            domain_label=labels[answer.domain],
            discussed_label=answer.get_discussed_display(),
            answers=answer_labels(answer.domain, answer.answers),
            notes=answer.notes,
            recorded_at=answer.created_at,
            recorded_by=str(answer.recorded_by or ""),
        )
        seen.add(answer.domain)
        (history if answer.superseded_at else shown).append(item)
    withheld = [labels[d] for d in DOMAIN_ORDER if DOMAIN_CATEGORY[d] not in categories]
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown={DOMAIN_CATEGORY[d] for d in seen},
        action="assessment.viewed",
        category=Category.CASEWORK,
        assessment=str(assessment.public_id),
    )
    return AssessmentPage(
        public_id=assessment.public_id,
        person_id=person.public_id,
        display_name=participant.display_name,
        status_label=assessment.get_status_display(),
        organization=organization.name,
        started_at=assessment.created_at,
        completed_on=assessment.completed_on,
        answers=shown,
        withheld=withheld,
        referral_id=assessment.referral.public_id if assessment.referral else None,
        is_draft=assessment.status == Assessment.Status.DRAFT,
        part2_notice=notice,
        history=history,
    )
