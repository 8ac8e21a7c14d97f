"""The history of a person's record: a snapshot after every change (`PersonVersion`), and the
history page's reading of it, which says in plain words what changed from one version to the
next and leaves out what the viewer may not see."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.db.models import Max

from tandem.access.decisions import Subject, allowed_categories, recorded_by_visible
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_read
from tandem.people.models import RACE_CHOICES, Identifier, Person, PersonName, PersonVersion
from tandem.people.selectors import people_in_scope

Snapshot = dict[str, Any]

# The fields a snapshot keeps, in the order the history page lists their changes, with the
# category that decides who may see them.
IDENTITY_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "description",
)
DEMOGRAPHIC_FIELDS = ("race", "ethnicity", "gender")

FIELD_LABELS = {
    "given_name": "Given name",
    "middle_name": "Middle name",
    "family_name": "Family name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "description": "Description",
    "race": "Race",
    "ethnicity": "Ethnicity",
    "gender": "Gender",
}


def person_snapshot(person: Person) -> Snapshot:
    """The record as it stands: identity and demographic fields, current names and
    identifiers (removed ones are left out, so a removal shows as a difference)."""
    names = PersonName.objects.filter(person=person, removed_at__isnull=True).order_by("pk")
    identifiers = (
        Identifier.objects.filter(person=person, removed_at__isnull=True)
        .select_related("issuer")
        .order_by("pk")
    )
    merged_into = (
        Person.objects.filter(pk=person.merged_into_id).values_list("public_id", flat=True).first()
        if person.merged_into_id
        else None
    )
    return {
        "given_name": person.given_name,
        "middle_name": person.middle_name,
        "family_name": person.family_name,
        "preferred_name": person.preferred_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "dob_precision": person.dob_precision,
        "sex": person.sex,
        "description": person.description,
        # The stored name is random and never served, so keeping it tells nothing; it shows
        # when a photo was added, replaced or removed.
        "photo": person.photo.name or "",
        "race": list(person.race),
        "ethnicity": person.ethnicity,
        "gender": person.gender,
        "merged_into": str(merged_into) if merged_into else None,
        "names": [
            {
                "id": str(n.public_id),
                "kind": n.kind,
                "given_name": n.given_name,
                "family_name": n.family_name,
            }
            for n in names
        ],
        "identifiers": [
            {
                "id": str(i.public_id),
                "kind": i.kind,
                "value": i.value,
                "issuer": i.issuer.name if i.issuer else "",
                "issuer_id": i.issuer_id,
                "issuer_part2": bool(i.issuer and i.issuer.is_part2_program),
            }
            for i in identifiers
        ],
    }


def person_version_write(
    *, person: Person, kind: str, actor: User | None, reason: str = ""
) -> PersonVersion:
    """Append the next version of `person`. Callers are the people services, inside their
    transaction and holding the person's row lock, so numbers cannot collide."""
    last = PersonVersion.objects.filter(person=person).aggregate(n=Max("number"))["n"] or 0
    known = actor is not None and actor.is_authenticated
    version = PersonVersion(
        person=person,
        number=last + 1,
        kind=kind,
        snapshot=person_snapshot(person),
        actor=actor if known else None,
        reason=reason.strip(),
    )
    version.full_clean(validate_unique=False, validate_constraints=False)
    version.save()
    return version


# Reading the history -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    number: int
    kind: str
    kind_label: str
    at: datetime
    actor: str
    reason: str
    changes: list[str]


@dataclass(frozen=True, slots=True)
class PersonHistory:
    public_id: uuid.UUID
    display_name: str
    entries: list[HistoryEntry]


def person_history(*, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose) -> PersonHistory:
    """Every version of a person's record, newest first, each with what changed. Open to
    whoever may see the person's identity; demographics and identifiers a Part 2 programme
    issued appear only to those who may see them. The read is audited."""
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
            detail={"page": "history"},
        )
        raise OutOfScope("No such person.")
    versions = list(PersonVersion.objects.filter(person=person).select_related("actor"))
    labels = dict(PersonVersion.Kind.choices)
    entries = []
    previous: Snapshot = {}
    for version in versions:
        changes = list(
            snapshot_changes(
                previous,
                version.snapshot,
                viewer=viewer,
                demographics=Category.DEMOGRAPHICS in categories,
            )
        )
        entries.append(
            HistoryEntry(
                number=version.number,
                kind=version.kind,
                kind_label=labels.get(version.kind, version.kind),
                at=version.created_at,
                actor=_actor_label(version.actor),
                reason=version.reason,
                changes=changes,
            )
        )
        previous = version.snapshot
    entries.reverse()
    audit_read(
        viewer=viewer,
        action="person.history_viewed",
        target=person,
        category=Category.IDENTITY,
        purpose=purpose,
        detail={"versions": len(entries), "categories": sorted(categories)},
    )
    return PersonHistory(person.public_id, person.display_name, entries)


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return "System"
    return actor.get_full_name() or actor.get_username()


def snapshot_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, viewer: Viewer, demographics: bool
) -> Iterator[str]:
    """What changed from `before` to `after`, one plain sentence per change. An empty
    `before` (the first version) reads as what was recorded."""
    first = not before
    for field in IDENTITY_FIELDS + (DEMOGRAPHIC_FIELDS if demographics else ()):
        old, new = _field_text(field, before), _field_text(field, after)
        if old == new:
            continue
        label = FIELD_LABELS[field]
        if first:
            if new != _EMPTY:
                yield f"{label}: {new}"
        else:
            yield f"{label}: {old} → {new}"
    old_photo, new_photo = before.get("photo", ""), after.get("photo", "")
    if old_photo != new_photo:
        if not old_photo:
            yield "Photo added"
        elif not new_photo:
            yield "Photo removed"
        else:
            yield "Photo replaced"
    yield from _list_changes(
        "Name", before.get("names", []), after.get("names", []), _name_text, first=first
    )
    visible = [
        identifier
        for identifier in (*before.get("identifiers", []), *after.get("identifiers", []))
        if recorded_by_visible(
            viewer=viewer,
            recorder_organization_id=identifier.get("issuer_id"),
            recorder_is_part2=bool(identifier.get("issuer_part2")),
        )
    ]
    shown = {identifier["id"] for identifier in visible}
    yield from _list_changes(
        "Identifier",
        [i for i in before.get("identifiers", []) if i["id"] in shown],
        [i for i in after.get("identifiers", []) if i["id"] in shown],
        _identifier_text,
        first=first,
    )
    if before.get("merged_into") != after.get("merged_into") and not first:
        if after.get("merged_into"):
            yield "Merged into another record, which now holds its names, identifiers and links"
        else:
            yield "Separated again from the record it had been merged into"


_EMPTY = "(none)"
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "sex": dict(Person.Sex.choices),
    "ethnicity": dict(Person.Ethnicity.choices),
    "gender": dict(Person.Gender.choices),
}


def _field_text(field: str, snapshot: Mapping[str, Any]) -> str:
    if not snapshot:
        return _EMPTY
    value = snapshot.get(field)
    if field == "date_of_birth":
        return _date_text(value, snapshot.get("dob_precision", Person.DobPrecision.UNKNOWN))
    if field == "race":
        return ", ".join(RACE_CHOICES.get(v, v) for v in value or []) or _EMPTY
    choices: dict[str, str] = CHOICE_LABELS.get(field, {})
    if choices:
        return choices.get(str(value), str(value))
    return f"“{value}”" if value else _EMPTY


def _date_text(value: str | None, precision: str) -> str:
    if not value:
        return "Unknown"
    day = date.fromisoformat(value)
    if precision == Person.DobPrecision.YEAR:
        return f"{day:%Y}"
    if precision == Person.DobPrecision.MONTH:
        return f"{day:%B %Y}"
    return f"{day:%Y-%m-%d}"


def _name_text(name: Mapping[str, Any]) -> str:
    full = " ".join(p for p in (name["given_name"], name["family_name"]) if p)
    kind = dict(PersonName.Kind.choices).get(name["kind"], name["kind"])
    return f"{full} ({str(kind).lower()})"


def _identifier_text(identifier: Mapping[str, Any]) -> str:
    kind = dict(Identifier.Kind.choices).get(identifier["kind"], identifier["kind"])
    issuer = f" · {identifier['issuer']}" if identifier.get("issuer") else ""
    return f"{kind} {identifier['value']}{issuer}"


def _list_changes(
    what: str,
    before: list[Mapping[str, Any]],
    after: list[Mapping[str, Any]],
    text: Callable[[Mapping[str, Any]], str],
    *,
    first: bool,
) -> Iterator[str]:
    old = {row["id"]: row for row in before}
    new = {row["id"]: row for row in after}
    for key, row in new.items():
        if key not in old:
            yield f"{what}: {text(row)}" if first else f"{what} added: {text(row)}"
    for key, row in old.items():
        if key not in new:
            yield f"{what} removed: {text(row)}"
