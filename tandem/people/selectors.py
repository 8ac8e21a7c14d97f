"""Reads of people. Each takes the viewer, asks the access decision for every category it
returns, and writes the read to the audit chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import cast

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from tandem.access.decisions import Capability, Subject, allowed_categories, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.people.models import RACE_CHOICES, Identifier, Person, PersonName


def people_in_scope(site_id: int) -> QuerySet[Person]:
    """People of one site, annotated with what the access decision needs."""
    open_enrollment = Enrollment.objects.filter(person=OuterRef("pk")).exclude(
        status=Enrollment.Status.EXITED
    )
    return Person.objects.filter(site_id=site_id).annotate(
        holding_organization_id=Subquery(open_enrollment.values("provider_id")[:1]),
        holder_is_part2=Subquery(open_enrollment.values("provider__is_part2_program")[:1]),
        enrollment_status=Subquery(open_enrollment.values("status")[:1]),
    )


@dataclass(frozen=True, slots=True)
class HeldPerson:
    """The access decision's view of a person whose open enrollment is already loaded."""

    site_id: int
    holding_organization_id: int | None
    holder_is_part2: bool


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What one viewer may see of one person; a category not allowed is simply absent."""

    person: Person
    categories: frozenset[Category]
    names: list[PersonName] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    enrollment: Enrollment | None = None

    def shows(self, category: str) -> bool:
        return Category(category) in self.categories

    @property
    def race_labels(self) -> list[str]:
        return [RACE_CHOICES.get(value, value) for value in self.person.race]


def person_get(*, viewer: Viewer, public_id: uuid.UUID | str, purpose: Purpose) -> PersonRecord:
    try:
        person = people_in_scope(viewer.site_id).get(public_id=uuid.UUID(str(public_id)))
    except (Person.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such person.") from exc
    categories = allowed_categories(viewer=viewer, person=cast(Subject, person), purpose=purpose)
    if not categories & {Category.IDENTITY, Category.ENROLLMENT}:
        audit_read(viewer=viewer, action="person.view_refused", target=person, purpose=purpose)
        raise OutOfScope("No such person.")
    names: list[PersonName] = []
    identifiers: list[Identifier] = []
    if Category.IDENTITY in categories:
        names = list(person.names.all())
        identifiers = list(person.identifiers.select_related("issuer"))
    enrollment = None
    if Category.ENROLLMENT in categories:
        enrollment = (
            Enrollment.objects.filter(person=person)
            .exclude(status=Enrollment.Status.EXITED)
            .select_related("provider", "case_manager")
            .first()
        )
    _audit_read(viewer, "person.viewed", person, categories, purpose)
    return PersonRecord(person, categories, names, identifiers, enrollment)


@dataclass(frozen=True, slots=True)
class PersonListItem:
    """One search result: who, and their status only if the viewer may see enrollment."""

    public_id: uuid.UUID
    display_name: str
    enrollment_status: str | None


def person_list(*, viewer: Viewer, query: str = "", limit: int = 50) -> list[PersonListItem]:
    """People whose identity the viewer may see, matching a plain name search."""
    if not can(viewer, Capability.FIND_PEOPLE):
        return []
    purpose = Purpose.CARE_COORDINATION
    people = people_in_scope(viewer.site_id)
    # NUL cannot be stored or compared in PostgreSQL text; it is never part of a name.
    query = query.replace("\x00", "").strip()
    if query:
        alias_match = PersonName.objects.filter(person=OuterRef("pk")).filter(
            Q(given_name__icontains=query) | Q(family_name__icontains=query)
        )
        people = people.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(preferred_name__icontains=query)
            | Q(pk__in=Subquery(alias_match.values("person_id")))
        )
    rows = []
    for person in people.order_by("family_name", "given_name", "pk")[:limit]:
        subject = cast(Subject, person)
        if not decide(viewer=viewer, person=subject, category=Category.IDENTITY, purpose=purpose):
            continue
        sees_enrollment = decide(
            viewer=viewer, person=subject, category=Category.ENROLLMENT, purpose=purpose
        )
        rows.append(
            PersonListItem(
                public_id=person.public_id,
                display_name=person.display_name,
                # people_in_scope() annotates the status.
                enrollment_status=person.enrollment_status if sees_enrollment else None,  # type: ignore[attr-defined]
            )
        )
    audit_read(
        viewer=viewer,
        action="person.listed",
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"query": query, "count": len(rows)},
    )
    return rows


def caseload_for(*, viewer: Viewer) -> list[Enrollment]:
    """The open enrollments assigned to the viewer, most neglected first."""
    if viewer.user_id is None:
        return []
    enrollments = list(
        Enrollment.objects.filter(site_id=viewer.site_id, case_manager_id=viewer.user_id)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("person", "provider")
        .order_by(F("last_substantive_contact_on").asc(nulls_first=True), "pk")
    )
    visible = []
    for enrollment in enrollments:
        # The open enrollment is the one that decides who holds the participant.
        subject = HeldPerson(
            enrollment.person.site_id,
            enrollment.provider_id,
            enrollment.provider.is_part2_program,
        )
        # The caseload shows who (identity) and their status (enrollment).
        shown = {
            category
            for category in (Category.IDENTITY, Category.ENROLLMENT)
            if decide(
                viewer=viewer,
                person=subject,
                category=category,
                purpose=Purpose.CARE_COORDINATION,
            )
        }
        if len(shown) == 2:
            visible.append(enrollment)
    audit_read(
        viewer=viewer,
        action="caseload.viewed",
        category=Category.ENROLLMENT,
        purpose=Purpose.CARE_COORDINATION,
        detail={"count": len(visible)},
    )
    return visible


def _audit_read(
    viewer: Viewer, action: str, person: Person, categories: frozenset[Category], purpose: Purpose
) -> None:
    audit_read(
        viewer=viewer,
        action=action,
        target=person,
        category=Category.IDENTITY if Category.IDENTITY in categories else Category.ENROLLMENT,
        purpose=purpose,
        detail={"categories": sorted(categories)},
    )
