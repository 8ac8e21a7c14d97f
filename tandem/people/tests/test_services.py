"""The people services: each change writes one version and one audit event in the same
transaction, and a refused change changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.audit.models import AuditEvent
from tandem.people.models import Identifier, Person, PersonName, PersonVersion
from tandem.people.services import (
    IdentifierInput,
    NameInput,
    person_create,
    person_identifier_add,
    person_identifier_remove,
    person_name_add,
    person_name_remove,
    person_update,
)
from tests.factories import OrganizationFactory, PersonFactory, SiteFactory


@pytest.fixture
def rosa(alice, site_a):
    return person_create(
        actor=alice,
        site=site_a,
        given_name=" Rosa ",
        middle_name="Maria",
        family_name="Quintero",
        date_of_birth=dt.date(1980, 5, 17),
        dob_precision=Person.DobPrecision.EXACT,
        sex=Person.Sex.FEMALE,
        names=[NameInput(PersonName.Kind.NICKNAME, given_name="Ro")],
        identifiers=[IdentifierInput(Identifier.Kind.HMIS, "HMIS-1")],
    )


def test_create_writes_version_one_and_an_audit_event(rosa, alice):
    version = PersonVersion.objects.get(person=rosa)
    event = AuditEvent.objects.get(action="person.created")

    assert rosa.given_name == "Rosa"
    assert version.number == 1
    assert version.kind == PersonVersion.Kind.CREATED
    assert version.actor == alice
    assert version.snapshot["middle_name"] == "Maria"
    assert version.snapshot["sex"] == "female"
    assert [n["given_name"] for n in version.snapshot["names"]] == ["Ro"]
    assert [i["value"] for i in version.snapshot["identifiers"]] == ["HMIS-1"]
    assert event.target_id == str(rosa.public_id)
    assert event.actor_id == alice.pk


def test_update_changes_only_the_fields_that_differ(rosa, alice):
    saved = person_update(
        actor=alice,
        person=rosa,
        given_name="Rosa",
        family_name="Quintero-Diaz",
        reason="Married name from a state id",
    )

    version = PersonVersion.objects.get(person=rosa, number=2)
    event = AuditEvent.objects.get(action="person.updated")
    assert saved.family_name == "Quintero-Diaz"
    assert version.kind == PersonVersion.Kind.EDITED
    assert version.reason == "Married name from a state id"
    assert event.detail["fields"] == ["family_name"]
    assert event.category == "identity"


def test_update_with_nothing_different_writes_nothing(rosa, alice):
    person_update(actor=alice, person=rosa, given_name="Rosa ", race=[])

    assert PersonVersion.objects.filter(person=rosa).count() == 1
    assert not AuditEvent.objects.filter(action="person.updated").exists()


def test_demographic_change_is_audited_as_demographics(rosa, alice):
    person_update(actor=alice, person=rosa, race=["white", "black"], gender="woman")

    rosa.refresh_from_db()
    assert rosa.race == ["black", "white"]
    assert AuditEvent.objects.get(action="person.updated").category == "demographics"


def test_an_invalid_change_is_refused_and_changes_nothing(rosa, alice):
    before = Person.objects.filter(pk=rosa.pk).values().get()

    with pytest.raises(ValidationError):
        # No name, no nickname and no description left: the record would describe no one.
        person_update(
            actor=alice, person=rosa, given_name="", family_name="", middle_name="Changed"
        )
    with pytest.raises(ValidationError):
        person_update(actor=alice, person=rosa, dob_precision=Person.DobPrecision.UNKNOWN)

    assert Person.objects.filter(pk=rosa.pk).values().get() == before
    assert rosa.given_name == "Rosa"
    assert PersonVersion.objects.filter(person=rosa).count() == 1
    assert not AuditEvent.objects.filter(action="person.updated").exists()


def test_update_refuses_a_field_it_does_not_edit(rosa, alice):
    with pytest.raises(TypeError):
        person_update(actor=alice, person=rosa, site_id=99)  # type: ignore[call-arg]


def test_removing_a_name_keeps_the_row_and_a_version(rosa, alice):
    name = rosa.names.get()

    person_name_remove(actor=alice, name=name, reason="Was someone else's nickname")

    name.refresh_from_db()
    assert name.removed_at is not None
    last = PersonVersion.objects.filter(person=rosa).latest("number")
    assert last.snapshot["names"] == []
    assert last.reason == "Was someone else's nickname"
    assert AuditEvent.objects.filter(action="person.name_removed").count() == 1
    with pytest.raises(ValidationError, match="already removed"):
        person_name_remove(actor=alice, name=name)


def test_adding_a_name_twice_is_refused(rosa, alice):
    person_name_add(actor=alice, person=rosa, kind=PersonName.Kind.ALIAS, given_name="Rosie")

    with pytest.raises(ValidationError, match="already recorded"):
        person_name_add(actor=alice, person=rosa, kind=PersonName.Kind.ALIAS, given_name="rosie")
    with pytest.raises(ValidationError):
        person_name_add(actor=alice, person=rosa, kind=PersonName.Kind.ALIAS)

    assert rosa.names.filter(given_name__iexact="rosie").count() == 1
    assert AuditEvent.objects.filter(action="person.name_added").count() == 1


def test_an_identifier_of_another_person_is_refused_naming_the_kind_only(rosa, alice, site_a):
    police = OrganizationFactory(site=site_a, kind="police", name="City Police")
    other = PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    person_identifier_add(
        actor=alice, person=other, kind=Identifier.Kind.POLICE_ID, value="PD-9", issuer=police
    )

    with pytest.raises(ValidationError) as refused:
        person_identifier_add(
            actor=alice, person=rosa, kind=Identifier.Kind.POLICE_ID, value="pd-9", issuer=police
        )

    message = " ".join(refused.value.messages)
    assert "police id is already recorded for another person" in message
    assert "Deborah" not in message
    assert "Yazzie" not in message
    assert not rosa.identifiers.filter(value__iexact="PD-9").exists()
    assert PersonVersion.objects.filter(person=rosa).count() == 1


def test_the_same_value_from_another_issuer_or_site_is_accepted(rosa, alice, site_a):
    police = OrganizationFactory(site=site_a, kind="police")
    elsewhere = PersonFactory(site=SiteFactory())
    Identifier.objects.create(person=elsewhere, kind=Identifier.Kind.HMIS, value="HMIS-2")

    person_identifier_add(actor=alice, person=rosa, kind=Identifier.Kind.HMIS, value="HMIS-2")
    person_identifier_add(
        actor=alice, person=rosa, kind=Identifier.Kind.HMIS, value="HMIS-1", issuer=police
    )

    assert rosa.identifiers.count() == 3


def test_a_removed_identifier_frees_its_value_and_stays_in_the_table(rosa, alice, site_a):
    identifier = rosa.identifiers.get()
    other = PersonFactory(site=site_a)

    person_identifier_remove(actor=alice, identifier=identifier, reason="Typed on the wrong record")
    person_identifier_add(actor=alice, person=other, kind=Identifier.Kind.HMIS, value="HMIS-1")

    identifier.refresh_from_db()
    assert identifier.removed_at is not None
    assert other.identifiers.get().value == "HMIS-1"
    assert AuditEvent.objects.filter(action="person.identifier_removed").count() == 1


def test_an_issuer_of_another_site_is_refused(rosa, alice):
    foreign = OrganizationFactory(site=SiteFactory(), kind="police")

    with pytest.raises(ValidationError, match="organisation of this site"):
        person_identifier_add(
            actor=alice, person=rosa, kind=Identifier.Kind.POLICE_ID, value="X1", issuer=foreign
        )


def test_create_refuses_a_duplicate_identifier_and_saves_nothing(rosa, alice, site_a):
    people = Person.objects.count()

    with pytest.raises(ValidationError):
        person_create(
            actor=alice,
            site=site_a,
            given_name="Someone",
            identifiers=[IdentifierInput(Identifier.Kind.HMIS, "hmis-1")],
        )

    assert Person.objects.count() == people
    assert AuditEvent.objects.filter(action="person.created").count() == 1


def test_system_actor_is_recorded_as_no_one(site_a):
    person = person_create(actor=None, site=site_a, description="Tall, red cap, bridge camp")

    version = PersonVersion.objects.get(person=person)
    assert version.actor is None
    assert AuditEvent.objects.get(action="person.created").actor_id is None
