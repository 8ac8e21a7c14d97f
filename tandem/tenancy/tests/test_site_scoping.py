"""Everything of another site answers 404, exactly like a record that does not exist."""

from __future__ import annotations

import uuid

import pytest

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.tenancy.models import Membership
from tests.factories import EnrollmentFactory, OrganizationFactory, PersonFactory, add_totp, member


@pytest.fixture
def zoe(site_b):
    person = PersonFactory(site=site_b, given_name="Zoe", family_name="Whitlock")
    EnrollmentFactory(person=person)
    return person


@pytest.fixture
def rosa(bridgeway, alice):
    person = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes")
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    return person


def test_a_user_of_site_a_gets_404_for_a_person_of_site_b(login, alice, zoe):
    response = login(alice).get(f"/people/{zoe.public_id}/")

    assert response.status_code == 404
    assert "Zoe" not in response.text
    assert "Whitlock" not in response.text
    assert not AuditEvent.objects.filter(target_id=str(zoe.public_id)).exists()


def test_another_sites_person_looks_exactly_like_one_that_does_not_exist(login, alice, zoe):
    client = login(alice)

    foreign = client.get(f"/people/{zoe.public_id}/")
    missing = client.get(f"/people/{uuid.uuid4()}/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.templates[0].name == missing.templates[0].name == "404.html"


def test_charlie_at_site_b_gets_404_for_a_person_of_site_a(login, charlie, rosa):
    response = login(charlie).get(f"/people/{rosa.public_id}/")

    assert response.status_code == 404
    assert "Rosa" not in response.text


def test_the_people_list_shows_only_the_current_sites_people(login, alice, rosa, zoe):
    response = login(alice).get("/people/", {"q": ""})

    assert "Rosa Parkes" in response.text
    assert "Whitlock" not in response.text
    assert str(zoe.public_id) not in response.text


def test_a_member_of_both_sites_sees_only_the_site_she_works_at(login, bridgeway, site_b, zoe):
    # Given Dana, a case manager at both sites, working at site A
    dana = member(Role.CASE_MANAGER, organization=bridgeway, username="dana")
    riverside = OrganizationFactory(site=site_b, name="Riverside Outreach")
    Membership.objects.create(user=dana, site=site_b, organization=riverside, role="case_manager")
    add_totp(dana)
    client = login(dana)
    client.post("/sites/", {"site": str(bridgeway.site.public_id)})

    # When she opens a person of site B
    response = client.get(f"/people/{zoe.public_id}/")

    # Then it is not there for her until she switches to site B
    assert response.status_code == 404
    client.post("/sites/", {"site": str(site_b.public_id)})
    assert client.get(f"/people/{zoe.public_id}/").status_code == 200
