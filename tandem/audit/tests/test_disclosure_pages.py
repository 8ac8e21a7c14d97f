"""Pages and API answers that show many people at once: each Part 2 patient shown to someone
outside the programme gets a ledger row, the page carries the notice once, and the query
budget holds with one patient and with fifty."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.disclosures import PART2_STATEMENT
from tandem.audit.models import Disclosure
from tests.api.conftest import bearer
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    add_totp,
    api_token,
    member,
    sign_in,
)

BUDGET = 12


@pytest.fixture
def programme(site_a):
    return OrganizationFactory(
        site=site_a, kind="case_management", name="Harbour Recovery", is_part2_program=True
    )


@pytest.fixture
def office(site_a):
    return OrganizationFactory(site=site_a, kind="project_office", name="LEAD office")


@pytest.fixture
def ruth(office):
    user = member(Role.PROJECT_MANAGER, organization=office, username="ruth")
    add_totp(user)
    return user


def patients(site, programme, recipient, count, *, named=True):
    """`count` patients of the programme, named Quintero; its release names `recipient`
    (or, with named=False, another agency)."""
    other = OrganizationFactory(site=site, kind="police")
    people = []
    for _ in range(count):
        person = PersonFactory(site=site, family_name="Quintero")
        EnrollmentFactory(person=person, provider=programme)
        consent = ConsentFactory(person=person, recorded_by_organization=programme)
        ConsentGrantFactory(
            consent=consent,
            organization=recipient if named else other,
            categories=["enrollment", "identity", "casework"],
        )
        people.append(person)
    return people


@pytest.mark.parametrize("rows", [1, 50])
def test_the_people_page_discloses_each_patient_and_carries_the_notice_once(
    client, site_a, programme, office, ruth, rows, django_assert_max_num_queries
):
    patients(site_a, programme, office, rows)
    sign_in(client, ruth)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("people:list"))

    text = response.content.decode()
    assert text.count("badge-active") == rows
    assert text.count(PART2_STATEMENT) == 1
    assert Disclosure.objects.count() == rows
    assert set(Disclosure.objects.values_list("channel", flat=True)) == {"screen"}


@pytest.mark.parametrize("rows", [1, 50])
def test_a_search_discloses_each_patient_found_and_carries_the_notice_once(
    client, site_a, programme, office, ruth, rows, django_assert_max_num_queries
):
    patients(site_a, programme, office, rows)
    sign_in(client, ruth)

    # The matcher's read of the people carries the programme's releases, so the disclosure
    # costs only its rows' insert, whatever the number of people.
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("people:list"), {"q": "Quintero"})

    text = response.content.decode()
    assert text.count("badge-active") == rows
    assert text.count(PART2_STATEMENT) == 1
    assert Disclosure.objects.count() == rows


def test_without_the_programmes_release_the_page_shows_who_but_not_where(
    client, site_a, programme, office, ruth
):
    patients(site_a, programme, office, 3, named=False)
    sign_in(client, ruth)

    response = client.get(reverse("people:list"), {"q": "Quintero"})

    text = response.content.decode()
    assert text.count("Quintero") >= 3
    assert "badge-active" not in text
    assert PART2_STATEMENT not in text
    assert not Disclosure.objects.exists()


def test_the_search_before_create_panel_carries_the_notice(client, site_a, programme, office, ruth):
    [person] = patients(site_a, programme, office, 1)
    sign_in(client, ruth)

    response = client.post(
        reverse("people:create_candidates"),
        {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(),
        },
    )

    text = response.content.decode()
    assert "badge-active" in text
    assert PART2_STATEMENT in text
    assert Disclosure.objects.get().person_id == person.pk


@pytest.mark.parametrize("rows", [1, 50])
def test_the_api_list_notices_each_disclosed_row(
    client, site_a, programme, office, rows, django_assert_max_num_queries
):
    patients(site_a, programme, office, rows)
    _, secret = api_token(office, Role.PROJECT_MANAGER)

    with django_assert_max_num_queries(BUDGET):
        response = client.get("/api/v1/people", headers=bearer(secret))

    body = response.json()
    assert len(body) == rows
    assert all(row["part2_notice"]["statement"] == PART2_STATEMENT for row in body)
    assert Disclosure.objects.filter(channel="api").count() == rows


@pytest.mark.parametrize("names", [1, 20])
def test_the_person_page_of_a_patient_stays_in_budget(
    client, site_a, programme, office, ruth, names, django_assert_max_num_queries
):
    [person] = patients(site_a, programme, office, 1)
    for n in range(names):
        PersonNameFactory(person=person, given_name=f"Alias{n}")
    sign_in(client, ruth)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("people:detail", args=[person.public_id]))

    assert PART2_STATEMENT in response.content.decode()
    assert Disclosure.objects.count() == 1


def test_the_consent_pages_of_a_patient_carry_the_notice_for_the_project_manager(
    client, site_a, programme, office, ruth, django_assert_max_num_queries
):
    [person] = patients(site_a, programme, office, 1)
    sign_in(client, ruth)

    with django_assert_max_num_queries(BUDGET):
        listing = client.get(reverse("consent:list", args=[person.public_id]))
    consent = person.consents.get()
    copy = client.get(reverse("consent:detail", args=[consent.public_id]))
    signature = client.get(reverse("consent:signature", args=[consent.public_id]))

    assert PART2_STATEMENT in listing.content.decode()
    assert PART2_STATEMENT in copy.content.decode()
    assert signature["Part2-Notice"].startswith("42 CFR part 2 prohibits")
    assert Disclosure.objects.count() == 3
    categories = Disclosure.objects.values_list("categories", flat=True)
    assert {tuple(row) for row in categories} == {("casework", "identity")}


@pytest.mark.parametrize("rows", [1, 25])
def test_the_api_match_notices_each_disclosed_candidate(
    client, site_a, programme, office, rows, django_assert_max_num_queries
):
    people = patients(site_a, programme, office, rows)
    _, secret = api_token(office, Role.PROJECT_MANAGER)
    first = people[0]

    # Like the search page, with the token's use found, stamped and audited besides.
    with django_assert_max_num_queries(BUDGET):
        response = client.post(
            "/api/v1/people/match",
            {
                "given_name": first.given_name,
                "family_name": "Quintero",
                "date_of_birth": first.date_of_birth.isoformat(),
                "limit": 25,
            },
            content_type="application/json",
            headers=bearer(secret),
        )

    body = response.json()
    assert body
    assert all(row["part2_notice"]["statement"] == PART2_STATEMENT for row in body)
    assert Disclosure.objects.filter(channel="api").count() == len(body)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_police_lookup_of_patients_stays_in_budget(
    client, site_a, programme, rows, django_assert_max_num_queries
):
    police = OrganizationFactory(site=site_a, kind="police")
    people = patients(site_a, programme, police, rows)
    officer = member(Role.POLICE_OFFICER, organization=police)
    add_totp(officer)
    sign_in(client, officer)
    for person in people:
        type(person).objects.filter(pk=person.pk).update(given_name="Rosa")

    with django_assert_max_num_queries(BUDGET):
        response = client.post(
            reverse("consent:lookup"),
            {
                "reason": "welfare",
                "given_name": "Rosa",
                "family_name": "Quintero",
                "date_of_birth": people[0].date_of_birth.isoformat(),
            },
        )

    text = response.content.decode()
    # At most ten matches are answered; each is a disclosure.
    assert text.count("Active · Harbour Recovery") == min(rows, 10)
    assert text.count(PART2_STATEMENT) == 1
    assert Disclosure.objects.count() == min(rows, 10)
