"""Reads for the case-management team holding a participant (Capability.WRITE_LEGAL_STATUS
and decide() on the legal category): the status for legal partners, who reads it, letters
and their previews."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose, Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_read
from tandem.consent.models import ConsentGrant
from tandem.consent.services import categories_allowed_for
from tandem.legal.models import LegalStatusSummary, Letter
from tandem.legal.selectors.partners import SummaryShown, summary_shown
from tandem.legal.sharing import (
    SHARED_CATEGORY,
    annotated_summary,
    letter_compose,
    shareable_summaries,
    with_latest_summary,
)
from tandem.people.models import Person
from tandem.people.selectors import HeldPerson, people_in_scope
from tandem.tenancy.models import Organization

LEGAL = Purpose.LEGAL_COORDINATION
CARE = Purpose.CARE_COORDINATION

# The holding team: writing the status and letters ---------------------------------------


@dataclass(frozen=True, slots=True)
class HeldForLegal:
    """A participant whom the viewer's team holds, and that team (the provider)."""

    person: Person
    team: Organization

    @property
    def latest_summary(self) -> LegalStatusSummary | None:
        """The newest status that may leave the team, loaded with the person."""
        return annotated_summary(self.person)


def _held_person(viewer: Viewer, person_id: uuid.UUID) -> Person:
    if not can(viewer, Capability.WRITE_LEGAL_STATUS):
        raise OutOfScope("No such person.")
    person = (
        with_latest_summary(people_in_scope(viewer.site_id, viewer=viewer))
        .select_related("site")
        .filter(public_id=person_id)
        .first()
    )
    if person is None:
        raise OutOfScope("No such person.")
    # For a case-management role, legal information is allowed only to the team holding
    # the participant (tandem/access/decisions.py).
    if not decide(
        viewer=viewer, person=cast(Subject, person), category=Category.LEGAL, purpose=CARE
    ):
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=CARE,
            detail={"page": "legal_status"},
        )
        raise OutOfScope("No such person.")
    return person


def person_for_legal_writing(
    *, viewer: Viewer, person_id: uuid.UUID, team: Organization
) -> HeldForLegal:
    """The person, if the viewer's team holds them and may write for legal partners. `team`
    is the viewer's organisation as their membership loaded it."""
    if team.pk != viewer.organization_id:
        raise OutOfScope("No such person.")
    person = _held_person(viewer, person_id)
    # decide() lets the team whose enrollment ended keep reading the participant's record,
    # but only the team holding an open enrollment speaks for them to legal partners.
    if person.holding_organization_id != team.pk:  # type: ignore[attr-defined]
        raise OutOfScope("No such person.")
    return HeldForLegal(person=person, team=team)


@dataclass(frozen=True, slots=True)
class Reader:
    """An organisation that will see the status for legal partners."""

    name: str
    kind_label: str


_LEGAL_KIND_ROLES = {
    Organization.Kind.PROSECUTOR: Role.PROSECUTOR,
    Organization.Kind.DEFENDER: Role.DEFENDER,
}


def legal_readers(*, person: Person) -> list[Reader]:
    """The prosecutors' and defenders' offices that would see the status today: for each,
    decide() is asked as a member of that office would be, with the categories that the
    person's current releases grant it."""
    today = timezone.localdate()
    holder_id = person.holding_organization_id  # type: ignore[attr-defined]
    holder_is_part2 = bool(person.holder_is_part2)  # type: ignore[attr-defined]
    granted: dict[int, set[Category]] = defaultdict(set)
    granted_by_holder: dict[int, set[Category]] = defaultdict(set)
    offices: dict[int, Organization] = {}
    grants = ConsentGrant.objects.filter(
        consent__person=person,
        organization__kind__in=list(_LEGAL_KIND_ROLES),
        revoked_at__isnull=True,
    ).select_related("consent", "organization")
    for grant in grants:
        if grant.consent.status_on(today) != "current":
            continue
        categories = {Category(c) for c in grant.categories if c in Category.values}
        offices[grant.organization_id] = grant.organization
        granted[grant.organization_id] |= categories
        if grant.consent.recorded_by_organization_id == holder_id:
            granted_by_holder[grant.organization_id] |= categories
    readers = []
    for office_id, office in sorted(offices.items(), key=lambda item: item[1].name):
        subject = HeldPerson(
            site_id=person.site_id,
            holding_organization_id=holder_id,
            holder_is_part2=holder_is_part2,
            consented_categories=frozenset(granted[office_id]),
            holder_consented_categories=frozenset(granted_by_holder[office_id]),
        )
        as_member = Viewer(
            site_id=person.site_id,
            organization_id=office_id,
            organization_kind=office.kind,
            role=_LEGAL_KIND_ROLES[Organization.Kind(office.kind)],
        )
        if decide(viewer=as_member, person=subject, category=SHARED_CATEGORY, purpose=LEGAL):
            readers.append(Reader(name=office.name, kind_label=office.get_kind_display()))
    return readers


@dataclass(frozen=True, slots=True)
class SummaryHistoryItem:
    shown: SummaryShown
    written_by: str


@dataclass(frozen=True, slots=True)
class StatusPage:
    person_id: uuid.UUID
    display_name: str
    history: list[SummaryHistoryItem]
    readers: list[Reader]


HISTORY_LIMIT = 50


def legal_status_page(*, viewer: Viewer, held: HeldForLegal) -> StatusPage:
    """For the holding team: the summaries written so far (newest first) and who reads them."""
    person = held.person
    summaries = (
        LegalStatusSummary.objects.filter(person=person)
        .filter(shareable_summaries(person.holding_organization_id))  # type: ignore[attr-defined]
        .select_related("written_by")
        .order_by("-written_at", "-pk")[:HISTORY_LIMIT]
    )
    history = [
        SummaryHistoryItem(shown=summary_shown(s), written_by=str(s.written_by or ""))
        for s in summaries
    ]
    audit_read(
        viewer=viewer,
        action="legal_status.viewed",
        target=person,
        category=Category.LEGAL,
        purpose=CARE,
        detail={"count": len(history)},
    )
    return StatusPage(
        person_id=person.public_id,
        display_name=person.display_name,
        history=history,
        readers=legal_readers(person=person),
    )


@dataclass(frozen=True, slots=True)
class LetterBrief:
    public_id: uuid.UUID
    recipient: str
    template_label: str
    issued_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ConsentBrief:
    signed_name: str
    signed_on: dt.date
    recorded_by: str
    effective_on: dt.date
    expires_on: dt.date


@dataclass(frozen=True, slots=True)
class LetterPreview:
    """A letter exactly as it would be issued today and the release that covers it, or the
    reasons it cannot be issued."""

    recipient: str
    text: str = ""
    summary_id: uuid.UUID | None = None
    consent: ConsentBrief | None = None
    refusals: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LetterRequest:
    """What the writer asked to preview."""

    recipient: Organization
    template: str
    addressee: str
    issued_by: User | None


@dataclass(frozen=True, slots=True)
class LetterPage:
    person_id: uuid.UUID
    display_name: str
    recipients: list[Organization]
    letters: list[LetterBrief]
    has_summary: bool
    preview: LetterPreview | None = None


def letter_recipients(*, viewer: Viewer) -> list[Organization]:
    """The site's organisations a letter could go to: those a release may name for legal
    information (courts, probation, partners), never the writing team's own."""
    return [
        organization
        for organization in Organization.objects.filter(site_id=viewer.site_id)
        .exclude(pk=viewer.organization_id)
        .order_by("name")
        if SHARED_CATEGORY in categories_allowed_for(organization)
        and organization.kind not in {Organization.Kind.EVALUATION, Organization.Kind.NATIONAL}
    ]


def letter_page(
    *,
    viewer: Viewer,
    held: HeldForLegal,
    recipients: list[Organization],
    request: LetterRequest | None = None,
) -> LetterPage:
    """The letters issued for the participant and, when `request` says what to write, the
    letter exactly as it would be issued today (one audited read either way)."""
    person = held.person
    letters = [
        LetterBrief(
            public_id=letter.public_id,
            recipient=letter.recipient_organization.name,
            template_label=letter.get_template_display(),
            issued_at=letter.issued_at,
        )
        for letter in Letter.objects.filter(person=person)
        .select_related("recipient_organization")
        .order_by("-issued_at", "-pk")[:HISTORY_LIMIT]
    ]
    summary = held.latest_summary
    preview = None
    detail: dict[str, object] = {"count": len(letters)}
    if request is not None:
        preview = _preview(held, request, summary)
        detail |= {
            "recipient": str(request.recipient.public_id),
            "refused": bool(preview.refusals),
        }
    audit_read(
        viewer=viewer,
        action="letter.previewed" if request is not None else "letter.listed",
        target=person,
        category=Category.LEGAL,
        purpose=CARE,
        detail=detail,
    )
    return LetterPage(
        person_id=person.public_id,
        display_name=person.display_name,
        recipients=recipients,
        letters=letters,
        has_summary=summary is not None,
        preview=preview,
    )


def _preview(
    held: HeldForLegal, request: LetterRequest, summary: LegalStatusSummary | None
) -> LetterPreview:
    # The viewer's team holds the participant (person_for_legal_writing checked it).
    draft = letter_compose(
        person=held.person,
        holder=held.team,
        recipient=request.recipient,
        template=request.template,
        addressee=request.addressee,
        issued_by=request.issued_by,
        summary=summary,
        today=timezone.localdate(),
    )
    if draft.refusals:
        return LetterPreview(recipient=request.recipient.name, refusals=draft.refusals)
    assert draft.summary is not None
    assert draft.consent is not None
    consent = draft.consent
    return LetterPreview(
        recipient=request.recipient.name,
        text=draft.text,
        summary_id=draft.summary.public_id,
        consent=ConsentBrief(
            signed_name=consent.signed_name,
            signed_on=consent.signed_on,
            recorded_by=consent.recorded_by_organization.name,
            effective_on=consent.effective_on,
            expires_on=consent.expires_on,
        ),
    )


@dataclass(frozen=True, slots=True)
class LetterShown:
    public_id: uuid.UUID
    person_id: uuid.UUID
    site: str
    text: str
    recipient: str
    addressee: str
    template_label: str
    issued_at: dt.datetime
    issued_by: str


def letter_get(*, viewer: Viewer, public_id: uuid.UUID) -> LetterShown:
    """A letter as issued, for the team holding the participant; 404 for anyone else."""
    if not can(viewer, Capability.WRITE_LEGAL_STATUS):
        raise OutOfScope("No such letter.")
    letter = (
        Letter.objects.filter(site_id=viewer.site_id, public_id=public_id)
        .select_related("person", "site", "recipient_organization", "issued_by")
        .first()
    )
    if letter is None:
        raise OutOfScope("No such letter.")
    # The person's own check decides: a letter about someone the team does not hold (any
    # more) is unknown to it.
    _held_person(viewer, letter.person.public_id)
    audit_read(
        viewer=viewer,
        action="letter.viewed",
        target=letter,
        category=Category.LEGAL,
        purpose=CARE,
    )
    return LetterShown(
        public_id=letter.public_id,
        person_id=letter.person.public_id,
        site=letter.site.name,
        text=letter.text,
        recipient=letter.recipient_organization.name,
        addressee=letter.addressee,
        template_label=letter.get_template_display(),
        issued_at=letter.issued_at,
        issued_by=str(letter.issued_by or ""),
    )
