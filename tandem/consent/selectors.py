"""Reads of releases of information and the police lookup. Each takes the viewer, asks the
access decision about the person, and writes the read to the audit chain.

A release says which partners may learn what about a participant, so reading one is a read
of casework: the case-management team holding the participant, and the project manager,
see it (DESIGN.md §4)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import IO, cast

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Channel, Part2Notice, Part2Subject, Shown, disclose
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.consent.models import Consent, ConsentGrant
from tandem.consent.notices import notice_token_for
from tandem.consent.services import categories_allowed_for, default_categories_for
from tandem.people.models import Person, PersonName
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Organization, Site

PURPOSE = Purpose.CARE_COORDINATION
STATUS_LABELS = {
    "current": "Current",
    "expired": "Expired",
    "revoked": "Revoked",
    "not_yet_effective": "Not yet in effect",
}
# Organisations that may be named as recipients: never aggregate-only partners.
RECIPIENT_KINDS = frozenset(Organization.Kind) - {
    Organization.Kind.EVALUATION,
    Organization.Kind.NATIONAL,
}


@dataclass(frozen=True, slots=True)
class GrantShown:
    organization_id: uuid.UUID
    organization: str
    organization_kind: str
    categories: list[str]
    revoked_at: dt.datetime | None
    revocation_reason: str


@dataclass(frozen=True, slots=True)
class ConsentShown:
    public_id: uuid.UUID
    status: str
    status_label: str
    purpose_label: str
    purpose_text: str
    effective_on: dt.date
    expires_on: dt.date
    recorded_by_organization: str
    is_part2: bool
    disclosure_description: str
    revocation_instructions: str
    expiry_event: str
    treatment_not_conditioned: bool
    signed_name: str
    signed_on: dt.date
    signature_kind_label: str
    witness_name: str
    recorded_by: str
    recorded_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation_reason: str
    grants: list[GrantShown] = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return self.status == "current"

    @property
    def open_grants(self) -> list[GrantShown]:
        return [grant for grant in self.grants if grant.revoked_at is None]


@dataclass(frozen=True, slots=True)
class PersonConsents:
    person_id: uuid.UUID
    display_name: str
    consents: list[ConsentShown]
    can_record: bool
    # Set when a Part 2 programme holds the participant and the viewer works elsewhere.
    part2_notice: Part2Notice | None = None


def _person_for_consents(*, viewer: Viewer, person_id: uuid.UUID, record: bool) -> Person:
    """The person, if the viewer may read (or, with `record`, write) their releases."""
    if not can(viewer, Capability.RECORD_CONSENTS if record else Capability.VIEW_CONSENTS):
        raise OutOfScope("No such person.")
    person = people_in_scope(viewer.site_id, viewer=viewer).filter(public_id=person_id).first()
    if person is None:
        raise OutOfScope("No such person.")
    if not decide(
        viewer=viewer, person=cast(Subject, person), category=Category.CASEWORK, purpose=PURPOSE
    ):
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=PURPOSE,
            detail={"page": "consents"},
        )
        raise OutOfScope("No such person.")
    return person


def _shown(consent: Consent, today: dt.date) -> ConsentShown:
    status = consent.status_on(today)
    recorder = consent.recorded_by_organization
    return ConsentShown(
        public_id=consent.public_id,
        status=status,
        status_label=STATUS_LABELS[status],
        purpose_label=consent.get_purpose_display(),
        purpose_text=consent.purpose_text,
        effective_on=consent.effective_on,
        expires_on=consent.expires_on,
        recorded_by_organization=recorder.name,
        is_part2=recorder.is_part2_program,
        disclosure_description=consent.disclosure_description,
        revocation_instructions=consent.revocation_instructions,
        expiry_event=consent.expiry_event,
        treatment_not_conditioned=consent.treatment_not_conditioned,
        signed_name=consent.signed_name,
        signed_on=consent.signed_on,
        signature_kind_label=consent.get_signature_kind_display(),
        witness_name=consent.witness_name,
        recorded_by=str(consent.recorded_by or "the system"),
        recorded_at=consent.created_at,
        revoked_at=consent.revoked_at,
        revocation_reason=consent.revocation_reason,
        grants=[
            GrantShown(
                organization_id=grant.organization.public_id,
                organization=grant.organization.name,
                organization_kind=grant.organization.get_kind_display(),
                categories=grant.category_labels,
                revoked_at=grant.revoked_at,
                revocation_reason=grant.revocation_reason,
            )
            for grant in consent.grants.all()
        ],
    )


def _consent_rows() -> QuerySet[Consent]:
    return Consent.objects.select_related(
        "recorded_by_organization", "recorded_by"
    ).prefetch_related(
        Prefetch("grants", queryset=ConsentGrant.objects.select_related("organization"))
    )


# A page of releases shows who the participant is and casework about them.
CONSENT_CATEGORIES = frozenset({Category.IDENTITY, Category.CASEWORK})


def _disclose_consents(
    *, viewer: Viewer, person: Person, action: str, target: Consent | Person, **detail: object
) -> Part2Notice | None:
    """Audit the read; a project manager reading the releases of a participant a Part 2
    programme holds (under that programme's release naming the project office) is a Part 2
    disclosure, recorded and noticed (tandem.audit.disclosures)."""
    disclosed = disclose(
        viewer=viewer,
        shown=[Shown(cast(Part2Subject, person), CONSENT_CATEGORIES)],
        channel=Channel.SCREEN,
        purpose=PURPOSE,
        action=action,
        target=target,
        category=Category.CASEWORK,
        detail=dict(detail) or None,
    )
    return disclosed.notice_for(cast(Part2Subject, person))


def consent_list(*, viewer: Viewer, person_id: uuid.UUID) -> PersonConsents:
    """A participant's releases, newest first, each with its status today."""
    person = _person_for_consents(viewer=viewer, person_id=person_id, record=False)
    today = timezone.localdate()
    shown = [_shown(consent, today) for consent in _consent_rows().filter(person=person)]
    notice = _disclose_consents(
        viewer=viewer, person=person, action="consent.listed", target=person, count=len(shown)
    )
    return PersonConsents(
        person_id=person.public_id,
        display_name=person.display_name,
        consents=shown,
        can_record=can(viewer, Capability.RECORD_CONSENTS),
        part2_notice=notice,
    )


@dataclass(frozen=True, slots=True)
class ConsentCopy:
    """One release as the participant's printable copy shows it."""

    consent: ConsentShown
    person_id: uuid.UUID
    display_name: str
    can_revoke: bool
    part2_notice: Part2Notice | None = None


def _consent_and_person(
    *, viewer: Viewer, public_id: uuid.UUID, record: bool
) -> tuple[Consent, Person]:
    consent = _consent_rows().filter(site_id=viewer.site_id, public_id=public_id).first()
    if consent is None:
        raise OutOfScope("No such consent.")
    # The person's own check decides; a consent of a person out of scope is unknown too.
    person = _person_for_consents(viewer=viewer, person_id=consent.person.public_id, record=record)
    return consent, person


def consent_get(*, viewer: Viewer, public_id: uuid.UUID) -> ConsentCopy:
    consent, person = _consent_and_person(viewer=viewer, public_id=public_id, record=False)
    notice = _disclose_consents(
        viewer=viewer, person=person, action="consent.viewed", target=consent
    )
    return ConsentCopy(
        consent=_shown(consent, timezone.localdate()),
        person_id=person.public_id,
        display_name=person.display_name,
        can_revoke=can(viewer, Capability.RECORD_CONSENTS),
        part2_notice=notice,
    )


def consent_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> Consent:
    """The release itself, for a viewer who may revoke it (the holding team)."""
    return _consent_and_person(viewer=viewer, public_id=public_id, record=True)[0]


@dataclass(frozen=True, slots=True)
class SignatureFile:
    content: IO[bytes]
    content_type: str
    # An image cannot carry the statement: the response carries 42 CFR 2.32(a)(2)'s short
    # statement in a header, and the page that shows the image carries the full one.
    part2_notice: Part2Notice | None = None


def consent_signature_get(*, viewer: Viewer, public_id: uuid.UUID) -> SignatureFile:
    consent, person = _consent_and_person(viewer=viewer, public_id=public_id, record=False)
    try:
        content = consent.signature.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise OutOfScope("No such signature.") from exc
    notice = _disclose_consents(
        viewer=viewer, person=person, action="consent.signature_viewed", target=consent
    )
    return SignatureFile(
        content=cast(IO[bytes], content), content_type="image/png", part2_notice=notice
    )


@dataclass(frozen=True, slots=True)
class RecipientChoice:
    organization: Organization
    allowed: list[tuple[str, str]]
    defaults: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConsentFormContext:
    person: Person
    display_name: str
    recorder: Organization
    site: Site
    recipients: list[RecipientChoice]


def consent_form_context(*, viewer: Viewer, person_id: uuid.UUID) -> ConsentFormContext:
    """What the recording form needs: the person (for the holding team only), the
    organisation recording (the viewer's), and the site's possible recipients."""
    person = _person_for_consents(viewer=viewer, person_id=person_id, record=True)
    organizations = list(
        Organization.objects.filter(site_id=viewer.site_id, kind__in=RECIPIENT_KINDS)
        .select_related("site")
        .order_by("name")
    )
    recorder = next(o for o in organizations if o.pk == viewer.organization_id)
    labels = dict(Category.choices)
    recipients = [
        RecipientChoice(
            organization=organization,
            allowed=[
                (c, labels[c]) for c in Category.values if c in categories_allowed_for(organization)
            ],
            defaults=frozenset(default_categories_for(organization)),
        )
        for organization in organizations
        if organization.pk != viewer.organization_id
    ]
    return ConsentFormContext(
        person=person,
        display_name=person.display_name,
        recorder=recorder,
        site=recorder.site,
        recipients=recipients,
    )


# The police lookup ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LookupMatch:
    """What an officer may learn: that the person is in LEAD, their status, and whom to
    call. Nothing else, and only under a current release naming the officer's agency."""

    display_name: str
    status_label: str
    provider: str
    on_call_phone: str
    # Signed: lets this officer send the team a contact notice about this match.
    notice_token: str = ""
    # Set when a Part 2 programme holds the participant (under its release naming police).
    part2_notice: Part2Notice | None = None


def police_lookup(
    *,
    viewer: Viewer,
    reason: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
) -> list[LookupMatch]:
    """People of the site with exactly this name (or alias) and date of birth whose
    enrollment a current release lets the viewer's agency see. An empty list means "no
    record I can share", whether nobody matched or a release is missing: the caller must
    not be able to tell the two apart. Every lookup is audited with its stated reason."""
    if not can(viewer, Capability.POLICE_LOOKUP):
        raise OutOfScope("No such page.")
    purpose = Purpose.POLICE_LOOKUP
    given, family = given_name.replace("\x00", "").strip(), family_name.replace("\x00", "").strip()
    alias = PersonName.objects.filter(
        person=OuterRef("pk"),
        removed_at__isnull=True,
        given_name__iexact=given,
        family_name__iexact=family,
    )
    people = list(
        people_in_scope(viewer.site_id, viewer=viewer)
        .filter(date_of_birth=date_of_birth, dob_precision=Person.DobPrecision.EXACT)
        .filter(
            Q(given_name__iexact=given, family_name__iexact=family)
            | Q(pk__in=Subquery(alias.values("person_id")))
        )
        .order_by("pk")[:10]
    )
    allowed = [
        person
        for person in people
        if decide(
            viewer=viewer,
            person=cast(Subject, person),
            category=Category.ENROLLMENT,
            purpose=purpose,
        )
        and person.holding_organization_id is not None  # type: ignore[attr-defined]
    ]
    providers = Organization.objects.in_bulk(
        [person.holding_organization_id for person in allowed]  # type: ignore[attr-defined]
    )
    labels = dict(Enrollment.Status.choices)
    sees_identity = {
        person.pk: bool(
            decide(
                viewer=viewer,
                person=cast(Subject, person),
                category=Category.IDENTITY,
                purpose=purpose,
            )
        )
        for person in allowed
    }
    disclosed = disclose(
        viewer=viewer,
        shown=[
            Shown(
                cast(Part2Subject, person),
                frozenset({Category.ENROLLMENT})
                | ({Category.IDENTITY} if sees_identity[person.pk] else frozenset()),
            )
            for person in allowed
        ],
        channel=Channel.SCREEN,
        purpose=purpose,
        action="police.lookup",
        category=Category.ENROLLMENT,
        detail={
            "reason": reason,
            "query": {"given_name": given, "family_name": family, "dob": date_of_birth.isoformat()},
            "shared": [str(person.public_id) for person in allowed],
        },
    )
    matches = []
    for person in allowed:
        provider = providers[person.holding_organization_id]  # type: ignore[attr-defined]
        matches.append(
            LookupMatch(
                display_name=person.display_name if sees_identity[person.pk] else "",
                status_label=labels[person.enrollment_status],  # type: ignore[attr-defined]
                provider=provider.name,
                on_call_phone=provider.on_call_phone,
                notice_token=notice_token_for(
                    viewer=viewer, person_id=person.public_id, reason=reason
                ),
                part2_notice=disclosed.notice_for(cast(Part2Subject, person)),
            )
        )
    return matches
