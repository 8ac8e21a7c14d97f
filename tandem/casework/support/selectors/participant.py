"""Loading the participant a casework page is about, and asking the access decision about
them. Every page of this app starts here: a person out of scope, or a page whose category
decide() refuses, answers 404 and the refusal is audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.db.models import OuterRef, QuerySet, Subquery

from tandem.access.decisions import (
    Capability,
    Subject,
    allowed_categories,
    can,
    recorded_item_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Channel, Part2Notice, Part2Subject, Shown, disclose
from tandem.audit.services import audit_read
from tandem.casework.models import Enrollment
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope

PURPOSE = Purpose.CARE_COORDINATION


def people_for_casework(viewer: Viewer) -> QuerySet[Person]:
    """people_in_scope(), with the id of the open enrollment (for the pages that write)."""
    open_enrollment = Enrollment.objects.filter(person=OuterRef("pk")).exclude(
        status=Enrollment.Status.EXITED
    )
    return people_in_scope(viewer.site_id, viewer=viewer).annotate(
        open_enrollment_id=Subquery(open_enrollment.values("pk")[:1])
    )


@dataclass(frozen=True, slots=True)
class PersonHeader:
    """What a page says about whom it is about: plain values, never the model."""

    public_id: uuid.UUID
    display_name: str
    may_write: bool
    sees_financial: bool


@dataclass(frozen=True, slots=True)
class Participant:
    """The person a page is about, what the viewer may see of them, and whether the viewer
    may write their casework (their team holds the open enrollment)."""

    person: Person
    categories: frozenset[Category]
    may_write: bool

    @property
    def public_id(self) -> uuid.UUID:
        return self.person.public_id

    @property
    def display_name(self) -> str:
        if Category.IDENTITY not in self.categories:
            return "Participant"
        return self.person.display_name

    @property
    def open_enrollment_id(self) -> int | None:
        return self.person.open_enrollment_id  # type: ignore[attr-defined]

    def sees(self, category: str) -> bool:
        return category in self.categories

    def header(self) -> PersonHeader:
        return PersonHeader(
            public_id=self.public_id,
            display_name=self.display_name,
            may_write=self.may_write,
            sees_financial=Category.FINANCIAL in self.categories,
        )


def participant_for(
    *, viewer: Viewer, person_id: uuid.UUID, needs: Category, page: str
) -> Participant:
    """The person, if the viewer may see `needs` of them; else OutOfScope (404)."""
    person = people_for_casework(viewer).filter(public_id=person_id).first()
    if person is None:
        raise OutOfScope("No such person.")
    categories = allowed_categories(viewer=viewer, person=cast(Subject, person), purpose=PURPOSE)
    if needs not in categories:
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=PURPOSE,
            detail={"page": page},
        )
        raise OutOfScope("No such person.")
    holds = person.holding_organization_id == viewer.organization_id  # type: ignore[attr-defined]
    return Participant(
        person=person,
        categories=categories,
        may_write=holds and can(viewer, Capability.WRITE_CASEWORK),
    )


def visible(
    *,
    viewer: Viewer,
    participant: Participant,
    category: str,
    recorder_id: int | None,
    recorder_is_part2: bool,
) -> bool:
    """May the viewer see an item of `category` about the participant, recorded by that
    organisation? The decision on the category, then the Part 2 rule on the recorder
    (`recorded_item_visible`: what a Part 2 programme records stays inside it unless its own
    current release names the viewer's organisation)."""
    return bool(
        recorded_item_visible(
            viewer=viewer,
            person=cast(Subject, participant.person),
            category=Category(category),
            purpose=PURPOSE,
            recorder_organization_id=recorder_id,
            recorder_is_part2=recorder_is_part2,
        )
    )


def disclose_read(
    *,
    viewer: Viewer,
    participant: Participant,
    shown: Iterable[str],
    action: str,
    category: Category,
    **detail: object,
) -> Part2Notice | None:
    """Audit the read of what the page showed; a Part 2 programme's information shown
    outside it is a disclosure, recorded and noticed (tandem.audit.disclosures)."""
    categories = (frozenset(Category(c) for c in shown) | {Category.IDENTITY}) & (
        participant.categories
    )
    disclosed = disclose(
        viewer=viewer,
        shown=[Shown(cast(Part2Subject, participant.person), categories)],
        channel=Channel.SCREEN,
        purpose=PURPOSE,
        action=action,
        target=participant.person,
        category=category,
        detail=dict(detail) or None,
    )
    return disclosed.notice_for(cast(Part2Subject, participant.person))
