"""The history page: what changed from version to version, in plain words, only to those who
may see the person's identity, and never a category they may not see."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.people.history import snapshot_changes
from tandem.people.models import Identifier, PersonName
from tandem.people.services import (
    person_create,
    person_identifier_add,
    person_name_add,
    person_name_remove,
    person_update,
)
from tests.factories import EnrollmentFactory, OrganizationFactory

VIEWER = Viewer(
    site_id=1, organization_id=1, organization_kind="case_management", role=Role.CASE_MANAGER
)


def base(**changes):
    snapshot: dict[str, object] = {
        "given_name": "Rosa",
        "middle_name": "",
        "family_name": "Quintero",
        "preferred_name": "",
        "date_of_birth": None,
        "dob_precision": "unknown",
        "sex": "unknown",
        "description": "",
        "photo": "",
        "race": [],
        "ethnicity": "not_asked",
        "gender": "not_asked",
        "merged_into": None,
        "names": [],
        "identifiers": [],
    }
    snapshot.update(changes)
    return snapshot


def changes(before, after, *, demographics=True):
    return list(snapshot_changes(before, after, viewer=VIEWER, demographics=demographics))


def test_a_changed_field_reads_as_before_and_after():
    assert changes(base(), base(family_name="Quintero-Diaz")) == [
        "Family name: “Quintero” → “Quintero-Diaz”"
    ]


def test_a_birth_date_reads_with_its_precision():
    after = base(date_of_birth="1980-05-01", dob_precision="month")

    assert changes(base(), after) == ["Date of birth: Unknown → May 1980"]


def test_choices_read_as_their_labels():
    after = base(sex="female", race=["black", "white"], gender="non_binary")

    assert changes(base(), after) == [
        "Sex: Unknown → Female",
        "Race: (none) → Black or African American, White",
        "Gender: Not yet asked → Non-binary",
    ]


def test_demographics_are_left_out_for_a_viewer_who_may_not_see_them():
    assert changes(base(), base(race=["white"], gender="woman"), demographics=False) == []


def test_names_and_identifiers_read_as_added_and_removed():
    name = {"id": "n1", "kind": "nickname", "given_name": "Ro", "family_name": ""}
    identifier = {
        "id": "i1",
        "kind": "police_id",
        "value": "PD-9",
        "issuer": "City Police",
        "issuer_id": 5,
        "issuer_part2": False,
    }

    assert changes(base(names=[name]), base(identifiers=[identifier])) == [
        "Name removed: Ro (nickname / street name)",
        "Identifier added: Police id PD-9 · City Police",
    ]


def test_an_identifier_a_part2_programme_issued_stays_inside_it():
    identifier = {
        "id": "i1",
        "kind": "hmis",
        "value": "T-1",
        "issuer": "Clinic",
        "issuer_id": 77,
        "issuer_part2": True,
    }

    assert changes(base(), base(identifiers=[identifier])) == []


def test_photo_changes_never_show_the_stored_path():
    added = changes(base(), base(photo="private/people/abc.jpg"))
    replaced = changes(base(photo="private/people/abc.jpg"), base(photo="private/people/d.jpg"))
    removed = changes(base(photo="private/people/abc.jpg"), base())

    assert (added, replaced, removed) == (["Photo added"], ["Photo replaced"], ["Photo removed"])


def test_the_first_version_reads_as_what_was_recorded():
    assert changes({}, base(date_of_birth="1980-05-17", dob_precision="exact")) == [
        "Given name: “Rosa”",
        "Family name: “Quintero”",
        "Date of birth: 1980-05-17",
        "Sex: Unknown",
        "Ethnicity: Not yet asked",
        "Gender: Not yet asked",
    ]


# The page --------------------------------------------------------------------------------


@pytest.fixture
def rosa(alice, bridgeway):
    person = person_create(
        actor=alice,
        site=bridgeway.site,
        given_name="Rosa",
        family_name="Quintero",
        date_of_birth=dt.date(1980, 5, 17),
        dob_precision="exact",
    )
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    person_update(
        actor=alice, person=person, family_name="Quintero-Diaz", reason="From her state id"
    )
    person_update(actor=alice, person=person, race=["white"])
    name = person_name_add(
        actor=alice, person=person, kind=PersonName.Kind.NICKNAME, given_name="Ro"
    )
    person_name_remove(actor=alice, name=name, reason="Someone else's")
    return person


def test_history_lists_every_version_newest_first_with_what_changed(login, alice, rosa):
    client = login(alice)

    response = client.get(f"/people/{rosa.public_id}/history/")

    text = response.text
    assert response.status_code == 200
    assert text.index("Version 5") < text.index("Version 1")
    assert "Family name: “Quintero” → “Quintero-Diaz”" in text
    assert "Reason: From her state id" in text
    assert "Race: (none) → White" in text
    assert "Name added: Ro (nickname / street name)" in text
    assert "Name removed: Ro (nickname / street name)" in text
    assert "Test User" in text


def test_reading_the_history_is_audited(login, alice, rosa):
    client = login(alice)

    client.get(f"/people/{rosa.public_id}/history/")

    event = AuditEvent.objects.get(action="person.history_viewed")
    assert event.actor_id == alice.pk
    assert event.target_id == str(rosa.public_id)
    assert event.detail["versions"] == 5


def test_project_manager_sees_the_history_without_demographics(login, ruth, rosa):
    client = login(ruth)

    response = client.get(f"/people/{rosa.public_id}/history/")

    assert response.status_code == 200
    assert "Quintero-Diaz" in response.text
    assert "Race" not in response.text
    assert "Nothing you may see changed." in response.text


def test_police_officer_gets_404_and_the_refusal_is_audited(login, bob, rosa):
    client = login(bob)

    response = client.get(f"/people/{rosa.public_id}/history/")

    assert response.status_code == 404
    assert "Quintero" not in response.text
    assert AuditEvent.objects.filter(action="person.view_refused", actor_id=bob.pk).exists()
    assert not AuditEvent.objects.filter(action="person.history_viewed").exists()


def test_case_manager_of_another_site_gets_404(login, charlie, rosa):
    client = login(charlie)

    assert client.get(f"/people/{rosa.public_id}/history/").status_code == 404


def test_another_programmes_part2_identifier_is_not_in_the_history(login, alice, rosa, site_a):
    clinic = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    person_identifier_add(
        actor=None, person=rosa, kind=Identifier.Kind.HMIS, value="CLINIC-1", issuer=clinic
    )
    client = login(alice)

    response = client.get(f"/people/{rosa.public_id}/history/")

    assert "CLINIC-1" not in response.text


@pytest.mark.parametrize("versions", [1, 30])
def test_history_page_query_budget(
    login, alice, bridgeway, django_assert_max_num_queries, versions
):
    person = person_create(actor=alice, site=bridgeway.site, given_name="Rosa")
    for index in range(versions - 1):
        person_update(actor=alice, person=person, family_name=f"Family{index}")
    client = login(alice)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{person.public_id}/history/")

    assert response.status_code == 200
    assert f"Version {versions}" in response.text
