"""Choosing the site one works at, for members of several sites."""

from __future__ import annotations

import uuid

import pytest

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.tenancy.middleware import SESSION_SITE_KEY
from tandem.tenancy.models import Membership
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    add_totp,
    member,
    sign_in,
)

URL = "/sites/"


@pytest.fixture
def dana(site_a, site_b, bridgeway):
    """A case manager at Bridgeway (site A) who also works for a provider at site B."""
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="dana")
    Membership.objects.create(
        user=user,
        site=site_b,
        organization=OrganizationFactory(site=site_b, name="Riverside Outreach"),
        role=Role.CASE_MANAGER,
    )
    add_totp(user)
    return user


@pytest.fixture
def people(site_a, site_b, bridgeway, dana):
    rosa = PersonFactory(site=site_a, given_name="Rosa", family_name="Parkes")
    EnrollmentFactory(person=rosa, provider=bridgeway, case_manager=dana)
    zoe = PersonFactory(site=site_b, given_name="Zoe", family_name="Whitlock")
    return {"rosa": rosa, "zoe": zoe}


def switches():
    return AuditEvent.objects.filter(action="site.switched")


def test_a_member_of_two_sites_must_choose_one(login, dana, site_a, site_b, people):
    client = login(dana)

    home = client.get("/")
    chooser = client.get(URL)

    assert home.status_code == 302
    assert home["Location"] == URL
    assert chooser.status_code == 200
    assert "Choose the site you are working at" in chooser.text
    assert f'value="{site_a.public_id}"' in chooser.text
    assert f'value="{site_b.public_id}"' in chooser.text
    # Nothing of either site's people before a site is chosen
    assert "Rosa" not in chooser.text
    assert client.get("/people/").status_code == 302


def test_choosing_a_site_switches_to_it_and_is_audited(login, dana, site_a, site_b, people):
    client = login(dana)

    response = client.post(URL, {"site": str(site_b.public_id)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_SITE_KEY] == str(site_b.public_id)
    home = client.get("/")
    assert home.status_code == 200
    assert "Site B" in home.text
    assert "Rosa" not in home.text
    event = switches().get()
    assert (event.actor_id, event.site_id) == (dana.pk, site_b.pk)
    assert event.target_id == str(site_b.public_id)
    assert event.detail == {"from": None}


def test_switching_again_records_where_from(login, dana, site_a, site_b, people):
    client = login(dana)
    client.post(URL, {"site": str(site_a.public_id)})
    assert "Rosa Parkes" in client.get("/").text

    client.post(URL, {"site": str(site_b.public_id)})

    assert client.session[SESSION_SITE_KEY] == str(site_b.public_id)
    assert "Rosa Parkes" not in client.get("/").text
    latest = switches().order_by("-seq").first()
    assert latest is not None
    assert latest.detail == {"from": str(site_a.public_id)}
    assert switches().count() == 2


@pytest.mark.parametrize(
    "forged",
    ["not-a-site-id", "", str(uuid.uuid4()), "FOREIGN"],
    ids=["garbage", "empty", "unknown-uuid", "site-she-does-not-belong-to"],
)
def test_a_forged_or_foreign_site_answers_404_and_changes_nothing(
    login, dana, site_a, people, forged
):
    client = login(dana)
    client.post(URL, {"site": str(site_a.public_id)})
    if forged == "FOREIGN":
        forged = str(SiteFactory(name="Site C").public_id)
    before = switches().count()

    response = client.post(URL, {"site": forged})

    assert response.status_code == 404
    assert client.session[SESSION_SITE_KEY] == str(site_a.public_id)
    assert switches().count() == before
    assert "Rosa Parkes" in client.get("/").text


def test_an_inactive_membership_cannot_be_chosen(login, dana, site_a, site_b):
    Membership.objects.filter(user=dana, site=site_b).update(is_active=False)
    client = login(dana)

    response = client.post(URL, {"site": str(site_b.public_id)})

    assert response.status_code == 404
    assert not switches().exists()
    assert f'value="{site_b.public_id}"' not in client.get(URL).text


def test_a_member_of_one_site_works_there_without_choosing(login, alice, site_a):
    client = login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert client.session[SESSION_SITE_KEY] == str(site_a.public_id)


def test_a_user_without_a_site_is_told_to_ask_for_one(client, db):
    user = member(Role.CASE_MANAGER)
    Membership.objects.filter(user=user).delete()
    add_totp(user)
    sign_in(client, user)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "You do not belong to any site yet." in response.text


def test_switching_needs_a_post(login, dana, site_b):
    client = login(dana)

    client.get(URL, {"site": str(site_b.public_id)})

    assert SESSION_SITE_KEY not in client.session
    assert not switches().exists()
