"""The create page (search before create) and the edit page, with their actions."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.people.models import Identifier, Person, PersonName, PersonVersion
from tests.factories import (
    EnrollmentFactory,
    IdentifierFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    add_totp,
    member,
)

NEW = "/people/new/"
CANDIDATES = "/people/new/candidates/"


def create_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given_name": "Marisol",
        "middle_name": "",
        "family_name": "Okafor-Reyes",
        "preferred_name": "",
        "date_of_birth": "1991-07",
        "sex": "female",
        "description": "",
        "alias_kind": "nickname",
        "alias_given_name": "Sol",
        "alias_family_name": "",
        "identifier_kind": "",
        "identifier_value": "",
        "identifier_issuer": "",
        "ethnicity": "not_asked",
        "gender": "not_asked",
    }
    data.update(overrides)
    return data


@pytest.fixture
def rosa(site_a):
    return PersonFactory(
        site=site_a, given_name="Rosa", family_name="Quintero", date_of_birth=dt.date(1980, 5, 17)
    )


# Creating --------------------------------------------------------------------------------


def test_case_manager_records_a_person_with_part_of_a_birth_date(login, alice, site_a):
    police = OrganizationFactory(site=site_a, kind="police", name="City Police")
    client = login(alice)

    response = client.post(
        NEW,
        create_data(
            identifier_kind="police_id",
            identifier_value="PD-4411",
            identifier_issuer=str(police.public_id),
            race=["black"],
        ),
    )

    person = Person.objects.get(family_name="Okafor-Reyes")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.public_id}/"
    assert (person.date_of_birth, person.dob_precision) == (dt.date(1991, 7, 1), "month")
    assert person.sex == "female"
    assert person.race == ["black"]
    assert [(n.kind, n.given_name) for n in person.names.all()] == [("nickname", "Sol")]
    identifier = person.identifiers.get()
    assert (identifier.value, identifier.issuer) == ("PD-4411", police)
    assert PersonVersion.objects.get(person=person).actor == alice
    assert AuditEvent.objects.get(action="person.created").actor_id == alice.pk


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("1991-07-04", "exact", dt.date(1991, 7, 4)),
        ("1991", "year", dt.date(1991, 1, 1)),
        ("", "unknown", None),
    ],
)
def test_the_precision_of_a_birth_date_follows_what_was_typed(
    login, alice, typed, precision, stored
):
    client = login(alice)

    client.post(NEW, create_data(date_of_birth=typed))

    person = Person.objects.get(family_name="Okafor-Reyes")
    assert (person.date_of_birth, person.dob_precision) == (stored, precision)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1991-13", "month 13 does not exist"),
        ("1991-02-30", "February 1991 has 28 days"),
        ("17/05/1980", "YYYY-MM-DD"),
        ("2999", "cannot be in the future"),
    ],
)
def test_a_bad_birth_date_is_refused_and_nothing_typed_is_lost(login, alice, typed, message):
    client = login(alice)

    response = client.post(NEW, create_data(date_of_birth=typed))

    assert response.status_code == 200
    assert message in response.text
    assert 'value="Okafor-Reyes"' in response.text
    assert 'value="Sol"' in response.text
    assert not Person.objects.exists()


def test_a_person_needs_a_name_or_a_description(login, alice):
    client = login(alice)

    response = client.post(NEW, create_data(given_name="", family_name="", alias_given_name=""))

    assert response.status_code == 200
    assert "Give a name, a nickname, or a description" in response.text
    assert not Person.objects.exists()


def test_someone_known_only_by_sight_can_be_recorded(login, alice):
    client = login(alice)

    client.post(
        NEW,
        create_data(
            given_name="",
            family_name="",
            alias_given_name="",
            date_of_birth="",
            description="Tall, grey beard, sleeps by the library",
        ),
    )

    assert Person.objects.get().description == "Tall, grey beard, sleeps by the library"


def test_an_identifier_needs_both_kind_and_value(login, alice):
    client = login(alice)

    response = client.post(NEW, create_data(identifier_value="PD-1"))

    assert "Say what kind of identifier this is." in response.text
    assert not Person.objects.exists()


def test_an_issuer_of_another_site_is_not_accepted(login, alice, charlie):
    foreign = OrganizationFactory(site=charlie.memberships.get().site, kind="police")
    client = login(alice)

    response = client.post(
        NEW,
        create_data(
            identifier_kind="police_id",
            identifier_value="PD-1",
            identifier_issuer=str(foreign.public_id),
        ),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Person.objects.exists()


def test_the_create_page_searches_as_the_user_types(login, alice):
    client = login(alice)

    response = client.get(NEW)

    assert response.status_code == 200
    assert f'hx-post="{CANDIDATES}"' in response.text
    assert 'hx-trigger="input changed delay:300ms"' in response.text
    assert 'id="candidates"' in response.text


def test_the_candidates_fragment_lists_likely_existing_people(login, alice, rosa):
    client = login(alice)

    response = client.post(
        CANDIDATES,
        {"given_name": "Rosa", "family_name": "Quintero", "date_of_birth": "1980-05-17"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="candidates"')
    assert "<html" not in response.text
    assert "Rosa Quintero" in response.text
    assert f"/people/{rosa.public_id}/" in response.text
    assert "None of these — create a new person" in response.text


def test_the_candidates_fragment_says_so_when_no_one_matches(login, alice, rosa):
    client = login(alice)

    response = client.post(CANDIDATES, {"given_name": "Zebulon", "family_name": "Xanthopoulos"})

    assert "No one already recorded looks like this person." in response.text
    assert "Rosa" not in response.text


def test_the_candidates_fragment_searches_nothing_until_something_is_typed(login, alice, rosa):
    client = login(alice)

    response = client.post(CANDIDATES, {"given_name": "R"})

    assert "Rosa" not in response.text
    assert "No one already recorded" not in response.text
    assert not AuditEvent.objects.filter(action="person.matched").exists()


def test_creating_a_likely_duplicate_needs_an_explicit_confirmation(login, alice, rosa):
    client = login(alice)
    data = create_data(given_name="Rosa", family_name="Quintero", date_of_birth="1980-05-17")

    refused = client.post(NEW, data)

    assert refused.status_code == 200
    assert "This may be someone already recorded" in refused.text
    assert 'value="Quintero"' in refused.text
    assert Person.objects.count() == 1

    created = client.post(NEW, {**data, "confirm_new": "on"})

    assert created.status_code == 302
    assert Person.objects.filter(family_name="Quintero").count() == 2


@pytest.mark.parametrize("user", ["bob", "charlie_is_elsewhere", "admin"])
def test_roles_that_may_not_edit_people_get_404(login, bob, admin, site_a, user):
    people = {"bob": bob, "admin": admin}
    if user == "charlie_is_elsewhere":
        # Evaluators see figures only.
        evaluator = member(Role.EVALUATOR, site=site_a)
        add_totp(evaluator)
        people[user] = evaluator
    client = login(people[user])

    assert client.get(NEW).status_code == 404
    assert client.post(NEW, create_data()).status_code == 404
    assert client.post(CANDIDATES, {"given_name": "Rosa"}).status_code == 404
    assert not Person.objects.exists()


# Editing ---------------------------------------------------------------------------------


@pytest.fixture
def held(bridgeway, alice):
    person = PersonFactory(
        site=bridgeway.site,
        given_name="Rosa",
        family_name="Quintero",
        race=["white"],
        gender="woman",
    )
    PersonNameFactory(person=person, given_name="Ro")
    IdentifierFactory(person=person, kind="hmis", value="HMIS-7")
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    return person


def edit_data(person: Person, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given_name": person.given_name,
        "middle_name": person.middle_name,
        "family_name": person.family_name,
        "preferred_name": person.preferred_name,
        "date_of_birth": "1980-05-17",
        "sex": person.sex,
        "description": person.description,
        "race": person.race,
        "ethnicity": person.ethnicity,
        "gender": person.gender,
        "reason": "",
    }
    data.update(overrides)
    return data


def test_edit_page_shows_the_record_with_its_names_and_identifiers(login, alice, held):
    client = login(alice)

    response = client.get(f"/people/{held.public_id}/edit/")

    assert response.status_code == 200
    assert 'value="Quintero"' in response.text
    assert 'value="1980-05-17"' in response.text
    assert "HMIS id HMIS-7" in response.text
    assert 'Remove<span class="visually-hidden"> Ro</span>' in response.text
    assert 'name="race"' in response.text


def test_an_edit_saves_only_what_changed_with_the_reason(login, alice, held):
    client = login(alice)

    response = client.post(
        f"/people/{held.public_id}/edit/",
        edit_data(held, family_name="Quintero-Diaz", reason="Married name, from her state id"),
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.family_name == "Quintero-Diaz"
    version = PersonVersion.objects.get(person=held)
    assert version.reason == "Married name, from her state id"
    assert AuditEvent.objects.get(action="person.updated").detail["fields"] == ["family_name"]


def test_a_bad_edit_is_shown_again_and_changes_nothing(login, alice, held):
    client = login(alice)

    response = client.post(
        f"/people/{held.public_id}/edit/",
        edit_data(held, given_name="", family_name="", date_of_birth="1980-02-31"),
    )

    assert response.status_code == 200
    assert "February 1980 has 29 days" in response.text
    held.refresh_from_db()
    assert held.family_name == "Quintero"
    assert not PersonVersion.objects.filter(person=held).exists()


def test_project_manager_edits_identity_but_never_sees_demographics(login, ruth, held):
    client = login(ruth)

    page = client.get(f"/people/{held.public_id}/edit/")
    client.post(
        f"/people/{held.public_id}/edit/",
        edit_data(held, family_name="Quintero-Diaz", race=["black"], gender="man"),
    )

    assert page.status_code == 200
    assert 'name="race"' not in page.text
    assert "Self-reported demographics" not in page.text
    held.refresh_from_db()
    assert held.family_name == "Quintero-Diaz"
    assert (held.race, held.gender) == (["white"], "woman")


def test_names_are_added_and_removed_from_the_edit_page(login, alice, held):
    client = login(alice)
    url = f"/people/{held.public_id}/"

    added = client.post(url + "names/add/", {"kind": "alias", "given_name": "Rosie"})
    name = held.names.get(given_name="Ro")
    removed = client.post(url + f"names/{name.public_id}/remove/", {"reason": "Wrong person"})

    assert added.status_code == removed.status_code == 302
    assert added["Location"].endswith("/edit/#names")
    current = PersonName.objects.filter(person=held, removed_at__isnull=True)
    assert [n.given_name for n in current] == ["Rosie"]
    name.refresh_from_db()
    assert name.removed_at is not None
    detail = client.get(url)
    assert "Rosie" in detail.text
    assert "(nickname)" not in detail.text


def test_an_empty_name_is_refused_on_the_edit_page(login, alice, held):
    client = login(alice)

    response = client.post(f"/people/{held.public_id}/names/add/", {"kind": "alias"})

    assert response.status_code == 200
    assert "Give a given name or a family name." in response.text
    assert held.names.count() == 1


def test_a_duplicate_identifier_is_refused_on_the_edit_page(login, alice, held, site_a):
    other = PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    Identifier.objects.create(person=other, kind="state_id", value="WA123")
    client = login(alice)

    response = client.post(
        f"/people/{held.public_id}/identifiers/add/",
        {"kind": "state_id", "value": "wa123", "issuer": ""},
    )

    assert response.status_code == 200
    assert "This state id is already recorded for another person at this site." in response.text
    assert "Yazzie" not in response.text
    assert not held.identifiers.filter(kind="state_id").exists()


def test_identifiers_are_added_and_removed_from_the_edit_page(login, alice, held):
    client = login(alice)
    url = f"/people/{held.public_id}/"

    client.post(url + "identifiers/add/", {"kind": "booking", "value": "B-2026-1"})
    old = held.identifiers.get(value="HMIS-7")
    client.post(url + f"identifiers/{old.public_id}/remove/")

    current = Identifier.objects.filter(person=held, removed_at__isnull=True)
    assert [i.value for i in current] == ["B-2026-1"]


def test_a_name_of_another_person_cannot_be_removed_through_this_one(login, alice, held, site_a):
    other_name = PersonNameFactory(person=PersonFactory(site=site_a), given_name="Other")
    client = login(alice)

    response = client.post(f"/people/{held.public_id}/names/{other_name.public_id}/remove/")

    assert response.status_code == 404
    other_name.refresh_from_db()
    assert other_name.removed_at is None


def test_case_manager_of_another_site_cannot_edit(login, charlie, held):
    client = login(charlie)
    url = f"/people/{held.public_id}/"

    assert client.get(url + "edit/").status_code == 404
    assert client.post(url + "edit/", edit_data(held, family_name="X")).status_code == 404
    assert client.post(url + "names/add/", {"kind": "alias", "given_name": "X"}).status_code == 404
    held.refresh_from_db()
    assert held.family_name == "Quintero"
    assert held.names.count() == 1


def test_police_officer_cannot_edit(login, bob, held):
    client = login(bob)

    response = client.get(f"/people/{held.public_id}/edit/")

    assert response.status_code == 404


def test_detail_page_links_to_edit_and_history(login, alice, held):
    client = login(alice)

    response = client.get(f"/people/{held.public_id}/")

    assert f'href="/people/{held.public_id}/edit/"' in response.text
    assert f'href="/people/{held.public_id}/history/"' in response.text


@pytest.mark.parametrize("rows", [1, 30])
def test_edit_page_query_budget(login, alice, held, django_assert_max_num_queries, rows):
    for index in range(rows):
        PersonNameFactory(person=held, given_name=f"Alias{index}")
        IdentifierFactory(person=held, value=f"PD-{index}")
    client = login(alice)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{held.public_id}/edit/")

    assert response.status_code == 200
    assert f"Alias{rows - 1}" in response.text


@pytest.mark.parametrize("rows", [1, 30])
def test_detail_page_query_budget_with_names_and_a_photo(
    login, alice, held, django_assert_max_num_queries, rows
):
    Person.objects.filter(pk=held.pk).update(photo="private/people/abc.jpg")
    for index in range(rows):
        PersonNameFactory(person=held, given_name=f"Alias{index}")
        IdentifierFactory(person=held, value=f"PD-{index}")
    client = login(alice)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{held.public_id}/")

    assert response.status_code == 200
    assert f'src="/people/{held.public_id}/photo/"' in response.text
