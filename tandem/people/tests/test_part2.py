"""42 CFR 2.13(c): outside a Part 2 programme, nothing may tell that someone is its patient:
not the enrollment, not its absence, not an identifier the programme issued."""

import re

import pytest

from tandem.access.roles import Role
from tandem.people.models import Identifier
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    api_token,
    member,
)


@pytest.fixture
def northside(site_a):
    return OrganizationFactory(
        site=site_a, name="Northside Recovery", kind="case_management", is_part2_program=True
    )


@pytest.fixture
def patient(northside):
    person = PersonFactory(site=northside.site, given_name="Tomas", family_name="Begay")
    EnrollmentFactory(person=person, provider=northside)
    Identifier.objects.create(person=person, kind="hmis", value="NR-4471", issuer=northside)
    return person


@pytest.fixture
def not_enrolled(site_a):
    return PersonFactory(site=site_a, given_name="Tomas", family_name="Begay")


def page_body(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"/people/[0-9a-f-]{36}/", "", main)


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.PROJECT_MANAGER])
def test_a_patient_looks_exactly_like_someone_never_enrolled(
    login, site_a, patient, not_enrolled, role
):
    organization = None
    if role is Role.CASE_MANAGER:
        organization = OrganizationFactory(site=site_a, kind="case_management", name="Other")
    viewer = member(role, site=site_a, organization=organization)
    add_totp(viewer)
    client = login(viewer)

    seen_patient = client.get(f"/people/{patient.public_id}/")
    seen_other = client.get(f"/people/{not_enrolled.public_id}/")

    assert seen_patient.status_code == seen_other.status_code == 200
    assert page_body(seen_patient.text) == page_body(seen_other.text)
    assert "Northside" not in seen_patient.text
    assert "NR-4471" not in seen_patient.text


def test_the_api_answers_alike_for_a_patient_and_for_someone_never_enrolled(
    client, site_a, patient, not_enrolled
):
    other = OrganizationFactory(site=site_a, kind="case_management", name="Other")
    _, secret = api_token(other, Role.CASE_MANAGER)
    headers = {"Authorization": f"Bearer {secret}"}

    a = client.get(f"/api/v1/people/{patient.public_id}", headers=headers).json()
    b = client.get(f"/api/v1/people/{not_enrolled.public_id}", headers=headers).json()

    a.pop("id")
    b.pop("id")
    assert a == b
    assert a["enrollment"] is None


def test_the_programme_itself_sees_its_patient_and_its_identifier(login, northside, patient):
    priya = member(Role.CASE_MANAGER, organization=northside)
    add_totp(priya)
    client = login(priya)

    response = client.get(f"/people/{patient.public_id}/")

    assert "Northside Recovery" in response.text
    assert "NR-4471" in response.text
