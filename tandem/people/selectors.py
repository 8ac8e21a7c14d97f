"""Reads of people. Each takes the viewer, asks the access decision for every category it
returns, and writes the read to the audit chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.access.decisions import (
    Capability,
    Subject,
    allowed_categories,
    can,
    decide,
    recorded_by_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import POLICE_ROLES, Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import (
    Channel,
    Part2Notice,
    Part2Subject,
    Shown,
    disclose,
    programme_releases,
)
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.consent.current import granted_categories, not_computed
from tandem.people.models import RACE_CHOICES, Person


def people_in_scope(
    site_id: int, *, include_merged: bool = False, viewer: Viewer | None = None
) -> QuerySet[Person]:
    """People of one site, annotated with what the access decision needs. A record merged
    into another is left out (the survivor stands for it) unless `include_merged`. The
    categories that current releases grant are computed for `viewer`'s organisation on
    today's date; without a viewer they are not, and consent-dependent roles are refused."""
    open_enrollment = Enrollment.objects.filter(person=OuterRef("pk")).exclude(
        status=Enrollment.Status.EXITED
    )
    ended_enrollment = Enrollment.objects.filter(
        person=OuterRef("pk"), status=Enrollment.Status.EXITED
    ).order_by("-enrolled_on", "-pk")
    people = Person.objects.filter(site_id=site_id)
    if not include_merged:
        people = people.filter(merged_into__isnull=True)
    people = people.annotate(
        holding_organization_id=Subquery(open_enrollment.values("provider_id")[:1]),
        holder_is_part2=Subquery(open_enrollment.values("provider__is_part2_program")[:1]),
        enrollment_status=Subquery(open_enrollment.values("status")[:1]),
        former_holder_organization_id=Subquery(ended_enrollment.values("provider_id")[:1]),
    )
    if viewer is None:
        return people.annotate(
            consented_categories=not_computed(), holder_consented_categories=not_computed()
        )
    today = timezone.localdate()
    return people.annotate(
        consented_categories=granted_categories(
            organization_id=viewer.organization_id, today=today
        ),
        holder_consented_categories=granted_categories(
            organization_id=viewer.organization_id,
            today=today,
            recorded_by=OuterRef("holding_organization_id"),
        ),
    )


@dataclass(frozen=True, slots=True)
class HeldPerson:
    """The access decision's view of a person whose open enrollment is already loaded."""

    site_id: int
    holding_organization_id: int | None
    holder_is_part2: bool
    # Not computed: the caseload is read by the holding team, which needs no release.
    consented_categories: frozenset[Category] | None = None
    holder_consented_categories: frozenset[Category] | None = None
    # A person with an open enrollment has no former holder that decide() would ask about.
    former_holder_organization_id: int | None = None


@dataclass(frozen=True, slots=True)
class NameShown:
    kind: str
    kind_label: str
    given_name: str
    family_name: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


@dataclass(frozen=True, slots=True)
class IdentifierShown:
    kind_label: str
    value: str
    issuer: str


@dataclass(frozen=True, slots=True)
class DemographicsShown:
    race: list[str]
    ethnicity: str
    gender: str


@dataclass(frozen=True, slots=True)
class EnrollmentShown:
    status: str
    status_label: str
    provider: str
    on_call_phone: str
    case_manager: str
    enrolled_on: date


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What one viewer may see of one person, as plain values: a category the decision does
    not allow is absent (None or empty), and no model instance that could reach further
    data is handed to a template or a schema."""

    public_id: uuid.UUID
    categories: frozenset[Category]
    display_name: str | None = None
    date_of_birth: str | None = None
    description: str = ""
    middle_name: str = ""
    sex: str = ""
    has_photo: bool = False
    names: list[NameShown] = field(default_factory=list)
    identifiers: list[IdentifierShown] = field(default_factory=list)
    demographics: DemographicsShown | None = None
    enrollment: EnrollmentShown | None = None
    # Set when what is shown is a 42 CFR Part 2 programme's information disclosed outside
    # it: the caller must show it with the record (42 CFR 2.32).
    part2_notice: Part2Notice | None = None


def person_get(
    *,
    viewer: Viewer,
    public_id: uuid.UUID | str,
    purpose: Purpose,
    channel: Channel = Channel.SCREEN,
    with_identifiers: bool = True,
) -> PersonRecord:
    """What `viewer` may see of one person, read for `purpose` and shown on `channel` (a
    Part 2 disclosure is recorded as made there). `with_identifiers=False` skips loading
    identifiers for a caller that does not show them (the API's person read)."""
    try:
        person = (
            people_in_scope(viewer.site_id, viewer=viewer)
            # The releases a Part 2 disclosure would cite, read in the same query.
            .annotate(part2_releases=programme_releases(viewer=viewer))
            .get(public_id=uuid.UUID(str(public_id)))
        )
    except (Person.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such person.") from exc
    categories = allowed_categories(viewer=viewer, person=cast(Subject, person), purpose=purpose)
    if not categories & {Category.IDENTITY, Category.ENROLLMENT}:
        audit_read(viewer=viewer, action="person.view_refused", target=person, purpose=purpose)
        raise OutOfScope("No such person.")
    record: dict[str, Any] = {}
    if Category.IDENTITY in categories and viewer.role in POLICE_ROLES:
        # Police see minimal identity (DESIGN.md §4): enough to confirm who, never the
        # aliases, identifiers, description or photo that could serve enforcement.
        record["display_name"] = person.display_name
        record["date_of_birth"] = person.date_of_birth_display
    elif Category.IDENTITY in categories:
        record["display_name"] = person.display_name
        record["date_of_birth"] = person.date_of_birth_display
        record["description"] = person.description
        record["middle_name"] = person.middle_name
        record["sex"] = person.get_sex_display()
        record["has_photo"] = bool(person.photo)
        record["names"] = [
            NameShown(n.kind, n.get_kind_display(), n.given_name, n.family_name)
            for n in person.names.filter(removed_at__isnull=True)
        ]
        identifiers = person.identifiers.filter(removed_at__isnull=True).select_related("issuer")
        record["identifiers"] = [
            IdentifierShown(i.get_kind_display(), i.value, i.issuer.name if i.issuer else "")
            for i in (identifiers if with_identifiers else [])
            if recorded_by_visible(
                viewer=viewer,
                recorder_organization_id=i.issuer_id,
                recorder_is_part2=bool(i.issuer and i.issuer.is_part2_program),
            )
        ]
    if Category.DEMOGRAPHICS in categories:
        record["demographics"] = DemographicsShown(
            race=[RACE_CHOICES.get(value, value) for value in person.race],
            ethnicity=person.get_ethnicity_display(),
            gender=person.get_gender_display(),
        )
    if Category.ENROLLMENT in categories:
        enrollments = Enrollment.objects.filter(person=person)
        if (
            person.holding_organization_id is None  # type: ignore[attr-defined]
            and person.former_holder_organization_id == viewer.organization_id  # type: ignore[attr-defined]
        ):
            # The team whose enrollment ended last sees how it ended (decide() keeps its
            # sight of the record); anyone else sees only an open enrollment.
            enrollments = enrollments.filter(provider_id=viewer.organization_id).order_by(
                "-enrolled_on", "-pk"
            )
        else:
            enrollments = enrollments.exclude(status=Enrollment.Status.EXITED)
        enrollment = enrollments.select_related("provider", "case_manager").first()
        if enrollment is not None:
            record["enrollment"] = EnrollmentShown(
                status=enrollment.status,
                status_label=enrollment.get_status_display(),
                provider=enrollment.provider.name,
                on_call_phone=enrollment.provider.on_call_phone,
                case_manager=str(enrollment.case_manager or ""),
                enrolled_on=enrollment.enrolled_on,
            )
    # What the record holds, as opposed to what the decision allows: a Part 2 disclosure
    # is recorded for what left, and nothing is loaded yet for casework, legal, ...
    shown = {
        category
        for category, loaded in (
            (Category.IDENTITY, "display_name" in record),
            (Category.DEMOGRAPHICS, "demographics" in record),
            (Category.ENROLLMENT, "enrollment" in record),
        )
        if loaded
    }
    disclosed = disclose(
        viewer=viewer,
        shown=[Shown(cast(Part2Subject, person), frozenset(shown))],
        channel=channel,
        purpose=purpose,
        action="person.viewed",
        target=person,
        category=Category.IDENTITY if Category.IDENTITY in categories else Category.ENROLLMENT,
        detail={"categories": sorted(categories)},
    )
    record["part2_notice"] = disclosed.notice_for(cast(Part2Subject, person))
    return PersonRecord(public_id=person.public_id, categories=categories, **record)


def person_candidate_get(
    *, viewer: Viewer, public_id: uuid.UUID | str, purpose: Purpose, page: str
) -> Person:
    """The person a viewer chose among the matcher's candidates (to link a record to them),
    as the row a service writes with; OutOfScope (404) for anyone the candidates could not
    have shown them: a viewer who may not find people, a person of another site or merged
    into another, a person whose identity the decision refuses for `purpose`. The read is
    audited, and so is a refusal."""
    if not can(viewer, Capability.FIND_PEOPLE):
        raise OutOfScope("No such person.")
    try:
        person = people_in_scope(viewer.site_id, viewer=viewer).get(
            public_id=uuid.UUID(str(public_id))
        )
    except (Person.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such person.") from exc
    if not decide(
        viewer=viewer, person=cast(Subject, person), category=Category.IDENTITY, purpose=purpose
    ):
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=purpose,
            detail={"page": page},
        )
        raise OutOfScope("No such person.")
    audit_read(
        viewer=viewer,
        action="person.viewed",
        target=person,
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"categories": [Category.IDENTITY], "page": page},
    )
    return person


@dataclass(frozen=True, slots=True)
class PersonListItem:
    """One search result: who, and their status only if the viewer may see enrollment."""

    public_id: uuid.UUID
    display_name: str
    enrollment_status: str | None
    # Set when the status is a 42 CFR Part 2 programme's information disclosed outside it.
    part2_notice: Part2Notice | None = None


def person_list(
    *, viewer: Viewer, limit: int = 50, channel: Channel = Channel.SCREEN
) -> list[PersonListItem]:
    """People whose identity the viewer may see, by name (a search goes through
    tandem.matching.selectors.person_search instead)."""
    if not can(viewer, Capability.FIND_PEOPLE):
        return []
    purpose = Purpose.CARE_COORDINATION
    people = people_in_scope(viewer.site_id, viewer=viewer)
    rows = []
    shown = []
    for person in people.order_by("family_name", "given_name", "pk")[:limit]:
        subject = cast(Subject, person)
        if not decide(viewer=viewer, person=subject, category=Category.IDENTITY, purpose=purpose):
            continue
        sees_enrollment = decide(
            viewer=viewer, person=subject, category=Category.ENROLLMENT, purpose=purpose
        )
        # people_in_scope() annotates the status.
        status = person.enrollment_status if sees_enrollment else None  # type: ignore[attr-defined]
        rows.append((person, status))
        categories = {Category.IDENTITY} | ({Category.ENROLLMENT} if status else set())
        shown.append(Shown(cast(Part2Subject, person), frozenset(categories)))
    disclosed = disclose(
        viewer=viewer,
        shown=shown,
        channel=channel,
        purpose=purpose,
        action="person.listed",
        category=Category.IDENTITY,
        detail={"count": len(rows)},
    )
    return [
        PersonListItem(
            public_id=person.public_id,
            display_name=person.display_name,
            enrollment_status=status,
            part2_notice=disclosed.notice_for(cast(Part2Subject, person)),
        )
        for person, status in rows
    ]
