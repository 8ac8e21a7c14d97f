import re
import uuid

import pytest

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    add_totp,
    member,
)


def without_nonce(html: str) -> str:
    """The page without what changes on every response (CSP nonce, masked CSRF token)."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture
def held_person(bridgeway, alice):
    person = PersonFactory(
        site=bridgeway.site,
        given_name="Rosa",
        family_name="Quintero",
        race=["black", "white"],
        gender="woman",
    )
    PersonNameFactory(person=person, given_name="Ro")
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    return person


def test_holding_case_manager_sees_identity_and_demographics(login, alice, held_person):
    client = login(alice)

    response = client.get(f"/people/{held_person.public_id}/")

    assert response.status_code == 200
    assert "Rosa Quintero" in response.text
    assert "Ro" in response.text
    assert "Black or African American, White" in response.text
    assert "Bridgeway" in response.text


def test_viewing_a_person_is_audited_with_the_categories_shown(login, alice, held_person):
    client = login(alice)

    client.get(f"/people/{held_person.public_id}/")

    event = AuditEvent.objects.get(action="person.viewed")
    assert event.actor_id == alice.pk
    assert event.target_id == str(held_person.public_id)
    assert event.purpose == "care_coordination"
    assert "demographics" in event.detail["categories"]


def test_case_manager_of_another_site_gets_404(login, charlie, held_person):
    client = login(charlie)

    response = client.get(f"/people/{held_person.public_id}/")
    missing = client.get(f"/people/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert "Rosa" not in response.text
    assert without_nonce(response.text) == without_nonce(missing.text)


def test_police_officer_gets_404_while_no_release_names_the_police(login, bob, held_person):
    client = login(bob)

    response = client.get(f"/people/{held_person.public_id}/")

    assert response.status_code == 404
    assert "Rosa" not in response.text
    refused = AuditEvent.objects.get(action="person.view_refused")
    assert refused.actor_id == bob.pk


def test_another_providers_case_manager_sees_who_but_not_demographics(login, site_a, held_person):
    northside = OrganizationFactory(site=site_a, name="Northside", kind="case_management")
    priya = member(Role.CASE_MANAGER, organization=northside)
    add_totp(priya)
    client = login(priya)

    response = client.get(f"/people/{held_person.public_id}/")

    assert response.status_code == 200
    assert "Rosa Quintero" in response.text
    assert "Bridgeway" in response.text
    assert "Self-reported demographics" not in response.text
    assert "Black or African American" not in response.text


def test_project_manager_sees_identity_but_not_demographics(login, site_a, held_person):
    ruth = member(Role.PROJECT_MANAGER, site=site_a)
    add_totp(ruth)
    client = login(ruth)

    response = client.get(f"/people/{held_person.public_id}/")

    assert response.status_code == 200
    assert "Rosa Quintero" in response.text
    assert "Self-reported demographics" not in response.text


@pytest.mark.parametrize("role", [Role.SITE_ADMIN, Role.EVALUATOR, Role.NATIONAL_SUPPORT])
def test_roles_without_person_access_get_404(login, site_a, held_person, role):
    user = member(role, site=site_a)
    add_totp(user)
    client = login(user)

    response = client.get(f"/people/{held_person.public_id}/")

    assert response.status_code == 404


@pytest.mark.parametrize("names", [1, 50])
def test_person_page_runs_a_bounded_number_of_queries(
    login, alice, held_person, django_assert_max_num_queries, names
):
    for index in range(names):
        PersonNameFactory(person=held_person, given_name=f"Alias{index}")
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{held_person.public_id}/")

    assert response.text.count("Alias") == names


def test_participant_of_a_part2_programme_shows_no_enrollment_to_another_provider(
    login, alice, site_a
):
    northside = OrganizationFactory(
        site=site_a, name="Northside Recovery", kind="case_management", is_part2_program=True
    )
    person = PersonFactory(site=site_a, given_name="Tomas", family_name="Begay")
    EnrollmentFactory(person=person, provider=northside)
    client = login(alice)

    detail = client.get(f"/people/{person.public_id}/")
    listing = client.get("/people/", {"q": "Begay"})

    assert detail.status_code == 200
    assert "Tomas Begay" in detail.text
    assert "Northside" not in detail.text
    assert "Enrollment" not in detail.text
    assert "Tomas Begay" in listing.text
    assert "badge-active" not in listing.text


def test_police_with_a_release_see_only_minimal_identity(login, bob, bridgeway):
    from tandem.tenancy.models import Membership
    from tests.factories import ConsentFactory, ConsentGrantFactory, IdentifierFactory

    police = Membership.objects.get(user=bob).organization
    person = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Quintero")
    PersonNameFactory(person=person, kind="alias", given_name="Rosie", family_name="Q")
    IdentifierFactory(person=person, kind="state_id", value="WA-5550123")
    EnrollmentFactory(person=person, provider=bridgeway)
    consent = ConsentFactory(person=person, recorded_by_organization=bridgeway)
    ConsentGrantFactory(consent=consent, organization=police, categories=["enrollment", "identity"])
    client = login(bob)

    page = client.get(f"/people/{person.public_id}/")
    api = client.get(f"/api/v1/people/{person.public_id}")

    assert page.status_code == 200
    assert "Rosa Quintero" in page.text
    for withheld in ("Rosie", "WA-5550123"):
        assert withheld not in page.text
        assert withheld not in api.text
    assert api.json()["names"] == []
