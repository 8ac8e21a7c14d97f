"""What legal partners read: the participants for whom decide() allows the legal category
for legal coordination (a current release naming the viewer's organisation), with their
enrollment, latest status summary and, for a prosecutor, their office's holds. Anyone else
is absent from the list and 404 on the page, exactly like someone who does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import cast

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Channel, Part2Notice, Part2Subject, Shown, disclose
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.consent.current import current_grants
from tandem.legal.models import LegalStatusSummary
from tandem.legal.selectors.holds import holds_in_scope
from tandem.legal.sharing import (
    SHARED_CATEGORY,
    annotated_summary,
    status_note_normalised,
    with_latest_summary,
)
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope

LEGAL = Purpose.LEGAL_COORDINATION
PAGE_LIMIT = 200

# The status for legal partners, as legal partners see it --------------------------------


@dataclass(frozen=True, slots=True)
class SummaryShown:
    """The templated fields of a status summary, and nothing else."""

    public_id: uuid.UUID | None
    written_on: dt.date
    engagement: str
    progress: str
    barriers: list[str]
    note: str


def summary_shown(summary: LegalStatusSummary) -> SummaryShown:
    return SummaryShown(
        public_id=summary.public_id,
        written_on=timezone.localtime(summary.written_at).date(),
        engagement=summary.get_engagement_display(),
        progress=summary.get_progress_display(),
        barriers=summary.barrier_labels,
        note=summary.note,
    )


def summary_preview(
    *, engagement: str, progress: str, barriers: list[str], note: str
) -> SummaryShown:
    """What a summary not yet saved will look like to legal partners, from the same fields
    and labels as a saved one."""
    draft = LegalStatusSummary(
        engagement=engagement,
        progress=progress,
        barriers=list(barriers),
        note=status_note_normalised(note),
        written_at=timezone.now(),
    )
    shown = summary_shown(draft)
    return SummaryShown(
        public_id=None,
        written_on=shown.written_on,
        engagement=shown.engagement,
        progress=shown.progress,
        barriers=shown.barriers,
        note=shown.note,
    )


@dataclass(frozen=True, slots=True)
class HoldBrief:
    public_id: uuid.UUID
    charge_summary: str
    deadline: dt.date
    disposition_label: str
    is_open: bool


@dataclass(frozen=True, slots=True)
class EnrollmentBrief:
    status_label: str
    provider: str = ""
    on_call_phone: str = ""
    enrolled_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class LegalParticipant:
    """What a legal partner sees of one participant: who, the enrollment, the latest status
    summary and (for a prosecutor) their office's holds. Each part only when decide()
    allows its category."""

    public_id: uuid.UUID
    display_name: str
    date_of_birth: str
    enrollment: EnrollmentBrief | None
    summary: SummaryShown | None
    holds: list[HoldBrief] = field(default_factory=list)
    # Set when a 42 CFR Part 2 programme holds the participant: the notice of 42 CFR 2.32
    # that must accompany what it discloses.
    part2_notice: Part2Notice | None = None


@dataclass(frozen=True, slots=True)
class LegalParticipantList:
    rows: list[LegalParticipant]
    part2_notice: Part2Notice | None


def _latest_summary(person: Person) -> SummaryShown | None:
    summary = annotated_summary(person)
    return summary_shown(summary) if summary is not None else None


def _legal_people(viewer: Viewer) -> QuerySet[Person]:
    """People of the site, annotated for decide() and with their latest shareable status.
    Narrowed in SQL to people with any current grant naming the viewer's organisation, so
    the page does not load the whole site; decide() is still what lets each one through."""
    named = current_grants(organization_id=viewer.organization_id, today=timezone.localdate())
    return with_latest_summary(
        people_in_scope(viewer.site_id, viewer=viewer).filter(
            pk__in=named.values("consent__person_id")
        )
    )


def _shown(participant: LegalParticipant, person: Person) -> Shown:
    """What of the person left: who (if shown), the enrollment (if shown), legal always."""
    categories = {Category.LEGAL}
    if participant.date_of_birth:
        categories.add(Category.IDENTITY)
    if participant.enrollment is not None:
        categories.add(Category.ENROLLMENT)
    return Shown(cast(Part2Subject, person), frozenset(categories))


_ENROLLMENT_LABELS = dict(Enrollment.Status.choices)


def _sees(viewer: Viewer, person: Person, category: Category) -> bool:
    return bool(
        decide(viewer=viewer, person=cast(Subject, person), category=category, purpose=LEGAL)
    )


def _participant(
    viewer: Viewer,
    person: Person,
    holds: list[HoldBrief],
    enrollment: EnrollmentBrief | None = None,
) -> LegalParticipant:
    identity = _sees(viewer, person, Category.IDENTITY)
    status = person.enrollment_status  # type: ignore[attr-defined]
    if not _sees(viewer, person, Category.ENROLLMENT):
        enrollment = None
    elif enrollment is None:
        enrollment = EnrollmentBrief(
            status_label=_ENROLLMENT_LABELS.get(status, "Not enrolled now")
            if status
            else "Not enrolled now"
        )
    summary = _latest_summary(person)
    return LegalParticipant(
        public_id=person.public_id,
        display_name=person.display_name if identity else "Participant",
        date_of_birth=person.date_of_birth_display if identity else "",
        enrollment=enrollment,
        summary=summary,
        holds=holds,
    )


def _office_holds(viewer: Viewer, person_ids: list[int]) -> dict[int, list[HoldBrief]]:
    by_person: dict[int, list[HoldBrief]] = defaultdict(list)
    if not can(viewer, Capability.WORK_HOLDS) or not person_ids:
        return by_person
    for hold in holds_in_scope(viewer).filter(person_id__in=person_ids).order_by("deadline", "pk"):
        by_person[hold.person_id].append(
            HoldBrief(
                public_id=hold.public_id,
                charge_summary=hold.charge_summary,
                deadline=hold.deadline,
                disposition_label=hold.get_disposition_display(),
                is_open=hold.is_open,
            )
        )
    return by_person


def legal_participant_list(
    *, viewer: Viewer, limit: int = PAGE_LIMIT, channel: Channel = Channel.SCREEN
) -> LegalParticipantList:
    """The participants whose current release names the viewer's organisation for legal
    information, by name."""
    if not can(viewer, Capability.VIEW_LEGAL_PARTICIPANTS):
        raise OutOfScope("No such page.")
    people = [
        person
        for person in _legal_people(viewer).order_by("family_name", "given_name", "pk")[: limit * 2]
        if _sees(viewer, person, SHARED_CATEGORY)
    ][:limit]
    holds = _office_holds(viewer, [person.pk for person in people])
    rows = [_participant(viewer, person, holds.get(person.pk, [])) for person in people]
    disclosed = disclose(
        viewer=viewer,
        shown=[_shown(row, person) for row, person in zip(rows, people, strict=True)],
        channel=channel,
        purpose=LEGAL,
        action="legal.participants_listed",
        category=Category.LEGAL,
        detail={"count": len(rows), "people": [str(row.public_id) for row in rows]},
    )
    return LegalParticipantList(
        rows=[
            replace(row, part2_notice=disclosed.notice_for(cast(Part2Subject, person)))
            for row, person in zip(rows, people, strict=True)
        ],
        part2_notice=disclosed.notice,
    )


def legal_participant_get(
    *, viewer: Viewer, public_id: uuid.UUID, channel: Channel = Channel.SCREEN
) -> LegalParticipant:
    """One participant, for a legal partner their release names; 404 otherwise, exactly as
    for someone who does not exist."""
    if not can(viewer, Capability.VIEW_LEGAL_PARTICIPANTS):
        raise OutOfScope("No such person.")
    open_enrollment = Enrollment.objects.filter(person=OuterRef("pk")).exclude(
        status=Enrollment.Status.EXITED
    )
    person = (
        with_latest_summary(people_in_scope(viewer.site_id, viewer=viewer))
        # The enrollment's details come with the person; decide() says whether they show.
        .annotate(
            provider_name=Subquery(open_enrollment.values("provider__name")[:1]),
            provider_on_call_phone=Subquery(open_enrollment.values("provider__on_call_phone")[:1]),
            enrolled_on=Subquery(open_enrollment.values("enrolled_on")[:1]),
        )
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise OutOfScope("No such person.")
    if not _sees(viewer, person, SHARED_CATEGORY):
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=LEGAL,
            detail={"page": "legal_participant"},
        )
        raise OutOfScope("No such person.")
    enrollment = None
    if _sees(viewer, person, Category.ENROLLMENT) and person.enrollment_status:  # type: ignore[attr-defined]
        enrollment = EnrollmentBrief(
            status_label=_ENROLLMENT_LABELS[person.enrollment_status],  # type: ignore[attr-defined]
            provider=person.provider_name,
            on_call_phone=person.provider_on_call_phone,
            enrolled_on=person.enrolled_on,
        )
    holds = _office_holds(viewer, [person.pk]).get(person.pk, [])
    participant = _participant(viewer, person, holds, enrollment)
    disclosed = disclose(
        viewer=viewer,
        shown=[_shown(participant, person)],
        channel=channel,
        purpose=LEGAL,
        action="legal.participant_viewed",
        target=person,
        category=Category.LEGAL,
        detail={"summary": str(participant.summary.public_id) if participant.summary else ""},
    )
    return replace(participant, part2_notice=disclosed.notice_for(cast(Part2Subject, person)))
