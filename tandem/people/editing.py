"""The read behind the edit page and its actions: a person's record as the services need it
(the model rows), for a viewer who may both edit people and see this person's identity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from tandem.access.decisions import (
    Capability,
    Subject,
    allowed_categories,
    can,
    recorded_by_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.services import audit_read
from tandem.people.models import Identifier, Person, PersonName
from tandem.people.selectors import people_in_scope


@dataclass(frozen=True, slots=True)
class EditablePerson:
    """The rows an editor works on. Demographics are editable only where the viewer may
    see them, and an identifier a Part 2 programme issued only inside that programme."""

    person: Person
    categories: frozenset[Category]
    names: list[PersonName]
    identifiers: list[Identifier]

    @property
    def demographics(self) -> bool:
        return Category.DEMOGRAPHICS in self.categories


def person_editable_get(
    *, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose
) -> EditablePerson:
    """The person for the edit page, or OutOfScope (404) for a viewer who may not edit people
    or may not see this person's identity. The read is audited."""
    if not can(viewer, Capability.EDIT_PEOPLE):
        raise OutOfScope("No such person.")
    person = people_in_scope(viewer.site_id).filter(public_id=public_id).first()
    if person is None:
        raise OutOfScope("No such person.")
    categories = allowed_categories(viewer=viewer, person=cast(Subject, person), purpose=purpose)
    if Category.IDENTITY not in categories:
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=purpose,
            detail={"page": "edit"},
        )
        raise OutOfScope("No such person.")
    names = list(PersonName.objects.filter(person=person, removed_at__isnull=True))
    identifiers = [
        identifier
        for identifier in Identifier.objects.filter(
            person=person, removed_at__isnull=True
        ).select_related("issuer")
        if recorded_by_visible(
            viewer=viewer,
            recorder_organization_id=identifier.issuer_id,
            recorder_is_part2=bool(identifier.issuer and identifier.issuer.is_part2_program),
        )
    ]
    audit_read(
        viewer=viewer,
        action="person.viewed",
        target=person,
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"categories": sorted(categories), "page": "edit"},
    )
    return EditablePerson(person, categories, names, identifiers)
