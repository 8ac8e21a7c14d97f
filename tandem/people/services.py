"""Writes to people. Every service takes `actor=`, locks the person's row, validates before it
saves, and in the same transaction writes the next `PersonVersion`, an audit event, and the
matcher's index of the person. A refused change raises ValidationError and changes nothing.

Nothing here deletes a participant's row: a removed name or identifier is marked removed and
stays in the table and in the history; a replaced or cleared photo's file stays on disk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.matching.index import person_index_refresh
from tandem.people.history import DEMOGRAPHIC_FIELDS, person_version_write
from tandem.people.models import RACE_CHOICES, Identifier, Person, PersonName, PersonVersion
from tandem.people.photos import photo_prepare
from tandem.tenancy.models import Organization, Site


@dataclass(frozen=True, slots=True)
class NameInput:
    kind: str
    given_name: str = ""
    family_name: str = ""


@dataclass(frozen=True, slots=True)
class IdentifierInput:
    kind: str
    value: str
    issuer: Organization | None = None


class PersonChanges(TypedDict, total=False):
    """The fields `person_update` may change; a field left out stays as it is."""

    given_name: str
    middle_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    dob_precision: str
    sex: str
    description: str
    race: Sequence[str]
    ethnicity: str
    gender: str


EDITABLE_FIELDS = frozenset(PersonChanges.__annotations__)


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    site: Site,
    given_name: str = "",
    middle_name: str = "",
    family_name: str = "",
    preferred_name: str = "",
    date_of_birth: date | None = None,
    dob_precision: str = Person.DobPrecision.UNKNOWN,
    sex: str = Person.Sex.UNKNOWN,
    description: str = "",
    race: Sequence[str] = (),
    ethnicity: str = Person.Ethnicity.NOT_ASKED,
    gender: str = Person.Gender.NOT_ASKED,
    names: Sequence[NameInput] = (),
    identifiers: Sequence[IdentifierInput] = (),
    photo: File[bytes] | None = None,
) -> Person:
    """Record a new person with any names, identifiers and photo, as version 1."""
    person = Person(
        site=site,
        given_name=given_name.strip(),
        middle_name=middle_name.strip(),
        family_name=family_name.strip(),
        preferred_name=preferred_name.strip(),
        date_of_birth=date_of_birth,
        dob_precision=dob_precision,
        sex=sex,
        description=description.strip(),
        race=_ordered_race(race),
        ethnicity=ethnicity,
        gender=gender,
    )
    person.full_clean()
    clean_photo = photo_prepare(photo) if photo is not None else None
    person.save()
    for name in names:
        _name_row(person, name.kind, name.given_name, name.family_name).save()
    for identifier in identifiers:
        _identifier_row(person, identifier.kind, identifier.value, identifier.issuer).save()
    if clean_photo is not None:
        _store_photo(person, clean_photo)
    _recorded(
        person=person,
        actor=actor,
        action="person.created",
        kind=PersonVersion.Kind.CREATED,
        detail={"names": len(names), "identifiers": len(identifiers), "photo": bool(photo)},
    )
    return person


@transaction.atomic
def person_update(
    *, actor: User | None, person: Person, reason: str = "", **changes: Unpack[PersonChanges]
) -> Person:
    """Change the given fields of a person; only fields whose value differs count. Returns
    the person as saved (or unchanged when nothing differs); the caller's instance is not
    touched, so a refusal leaves nothing half-changed in memory either."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"person_update cannot change {', '.join(sorted(unknown))}.")
    current = _locked(person)
    changed = []
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "race":
            value = _ordered_race(value)  # type: ignore[arg-type]
        if getattr(current, field) != value:
            setattr(current, field, value)
            changed.append(field)
    if not changed:
        return current
    current.full_clean()
    current.save()
    only_demographics = all(field in DEMOGRAPHIC_FIELDS for field in changed)
    _recorded(
        person=current,
        actor=actor,
        action="person.updated",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        category="demographics" if only_demographics else "identity",
        detail={"fields": sorted(changed)},
    )
    return current


@transaction.atomic
def person_name_add(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    given_name: str = "",
    family_name: str = "",
    reason: str = "",
) -> PersonName:
    """Add a name (alias, nickname, previous or legal name) to a person."""
    current = _locked(person)
    row = _name_row(current, kind, given_name, family_name)
    row.save()
    _recorded(
        person=current,
        actor=actor,
        action="person.name_added",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        detail={"kind": kind},
    )
    return row


@transaction.atomic
def person_name_remove(*, actor: User | None, name: PersonName, reason: str = "") -> None:
    """Mark a name removed. It stays in the table and in the person's history."""
    current = _locked(name.person)
    row = PersonName.objects.select_for_update().get(pk=name.pk)
    if row.removed_at is not None:
        raise ValidationError("This name was already removed.")
    row.removed_at = timezone.now()
    row.save(update_fields=["removed_at", "updated_at"])
    _recorded(
        person=current,
        actor=actor,
        action="person.name_removed",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        detail={"kind": row.kind},
    )


@transaction.atomic
def person_identifier_add(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    value: str,
    issuer: Organization | None = None,
    reason: str = "",
) -> Identifier:
    """Add an identifier. One already recorded for another person of the site (same kind,
    value and issuer) is refused; the message names the kind, never the other person."""
    current = _locked(person)
    row = _identifier_row(current, kind, value, issuer)
    row.save()
    _recorded(
        person=current,
        actor=actor,
        action="person.identifier_added",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        detail={"kind": kind},
    )
    return row


@transaction.atomic
def person_identifier_remove(
    *, actor: User | None, identifier: Identifier, reason: str = ""
) -> None:
    """Mark an identifier removed. It stays in the table and in the person's history."""
    current = _locked(identifier.person)
    row = Identifier.objects.select_for_update().get(pk=identifier.pk)
    if row.removed_at is not None:
        raise ValidationError("This identifier was already removed.")
    row.removed_at = timezone.now()
    row.save(update_fields=["removed_at", "updated_at"])
    _recorded(
        person=current,
        actor=actor,
        action="person.identifier_removed",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        detail={"kind": row.kind},
    )


@transaction.atomic
def person_photo_set(
    *, actor: User | None, person: Person, photo: File[bytes], reason: str = ""
) -> Person:
    """Store a new photo (checked and stripped of metadata by `photo_prepare`)."""
    clean = photo_prepare(photo)
    current = _locked(person)
    replaced = bool(current.photo)
    _store_photo(current, clean)
    _recorded(
        person=current,
        actor=actor,
        action="person.photo_set",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
        detail={"replaced": replaced},
    )
    return current


@transaction.atomic
def person_photo_clear(*, actor: User | None, person: Person, reason: str = "") -> Person:
    """Stop showing a person's photo. The file stays, like every earlier state of a record."""
    current = _locked(person)
    if not current.photo:
        raise ValidationError("There is no photo to remove.")
    current.photo = None
    current.save(update_fields=["photo", "updated_at"])
    _recorded(
        person=current,
        actor=actor,
        action="person.photo_cleared",
        kind=PersonVersion.Kind.EDITED,
        reason=reason,
    )
    return current


def _locked(person: Person) -> Person:
    """A fresh copy of the person's row, locked until the transaction ends. A record merged
    into another cannot change: the survivor holds its names, identifiers and links."""
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.merged_into_id is not None:
        raise ValidationError("This record was merged into another one; change that one instead.")
    return current


def _recorded(
    *,
    person: Person,
    actor: User | None,
    action: str,
    kind: str,
    reason: str = "",
    category: str = "identity",
    detail: dict[str, object] | None = None,
) -> None:
    person_version_write(person=person, kind=kind, actor=actor, reason=reason)
    audit_record(
        actor=actor,
        site=person.site_id,
        action=action,
        target=person,
        category=category,
        detail={**(detail or {}), **({"reason": reason.strip()} if reason.strip() else {})},
    )
    person_index_refresh(person)


def _ordered_race(race: Sequence[str]) -> list[str]:
    # One order for the same answers, so that re-ticking the same boxes is no change.
    order = list(RACE_CHOICES)
    return sorted(set(race), key=lambda value: order.index(value) if value in order else len(order))


def _name_row(person: Person, kind: str, given_name: str, family_name: str) -> PersonName:
    row = PersonName(
        person=person, kind=kind, given_name=given_name.strip(), family_name=family_name.strip()
    )
    row.full_clean()
    duplicate = PersonName.objects.filter(
        person=person,
        kind=kind,
        given_name__iexact=row.given_name,
        family_name__iexact=row.family_name,
        removed_at__isnull=True,
    )
    if duplicate.exists():
        raise ValidationError(f"This {row.get_kind_display().lower()} is already recorded.")
    return row


def _identifier_row(
    person: Person, kind: str, value: str, issuer: Organization | None
) -> Identifier:
    if issuer is not None and issuer.site_id != person.site_id:
        raise ValidationError({"issuer": "The issuer must be an organisation of this site."})
    row = Identifier(person=person, kind=kind, value=value.strip(), issuer=issuer)
    row.full_clean()
    same = Identifier.objects.filter(
        person__site_id=person.site_id,
        kind=kind,
        value__iexact=row.value,
        issuer=issuer,
        removed_at__isnull=True,
    )
    holders = set(same.values_list("person_id", flat=True))
    label = row.get_kind_display()
    if person.pk in holders:
        raise ValidationError(f"This {label.lower()} is already recorded for this person.")
    if holders:
        # Naming the kind tells the user what to check; naming the holder would reveal a
        # person the user may not be allowed to see.
        raise ValidationError(
            f"This {label.lower()} is already recorded for another person at this site. "
            "Search for that person before adding it here."
        )
    return row


def _store_photo(person: Person, clean: File[bytes]) -> None:
    person.photo.save(clean.name or "photo", clean, save=False)
    try:
        person.save(update_fields=["photo", "updated_at"])
    except BaseException:
        # The database refused; do not leave an unreferenced copy of the photo behind.
        person.photo.storage.delete(person.photo.name or "")
        raise
