"""The browser's session: a signed-in member reads the API as themselves, at their current
site; without a current site (or without a second factor) the API answers nothing."""

from __future__ import annotations

import pytest
from ninja.errors import HttpError

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.api.auth import MemberSessionAuth
from tandem.audit.models import AuditEvent
from tandem.tenancy.models import Membership
from tests.factories import OrganizationFactory, SiteFactory, UserFactory, add_totp, member, sign_in


def test_signed_in_member_reads_the_api_as_themselves(login, alice, bridgeway, caseload):
    client = login(alice)

    me = client.get("/api/v1/me")
    people = client.get("/api/v1/people")

    assert me.status_code == 200
    assert me.json() == {
        "principal": "alice",
        "kind": "member",
        "site": str(bridgeway.site.public_id),
        "organization": str(bridgeway.public_id),
        "role": "case_manager",
    }
    assert people.status_code == 200
    assert "Rosa Quintero" in {row["display_name"] for row in people.json()}
    listed = AuditEvent.objects.get(action="person.listed")
    assert listed.actor_id == alice.pk
    assert listed.api_token_id is None


def test_member_of_another_site_gets_404_for_a_person(login, charlie, caseload):
    client = login(charlie)

    response = client.get(f"/api/v1/people/{caseload['held'].public_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_signed_in_user_without_any_site_gets_401(client, db):
    user = UserFactory()
    add_totp(user)
    sign_in(client, user)

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_member_of_two_sites_who_has_not_chosen_one_gets_401(client, alice, caseload):
    other_site = SiteFactory()
    Membership.objects.create(
        user=alice,
        site=other_site,
        organization=OrganizationFactory(site=other_site),
        role=Role.CASE_MANAGER,
    )
    sign_in(client, alice)

    me = client.get("/api/v1/me")
    people = client.get("/api/v1/people")

    assert me.status_code == people.status_code == 401
    assert "Rosa" not in people.text


def test_member_without_a_second_factor_gets_403(client, site_a):
    user = member(Role.CASE_MANAGER, site=site_a)
    client.force_login(user)

    response = client.get("/api/v1/people")

    assert response.status_code == 403
    assert response.json() == {"detail": "Set up two-factor authentication first."}


def test_session_auth_refuses_an_unsafe_request_without_a_csrf_token(rf, alice):
    # Every operation is a GET today; the check must already be in place for the first POST.
    request = rf.post("/api/v1/anything", headers={"Cookie": "sessionid=whatever"})
    request.user = alice
    request.viewer = Viewer.from_membership(alice.memberships.get())

    with pytest.raises(HttpError) as refused:
        MemberSessionAuth()(request)

    assert refused.value.status_code == 403


def test_session_auth_accepts_a_safe_request(rf, alice):
    request = rf.get("/api/v1/me", headers={"Cookie": "sessionid=whatever"})
    request.user = alice
    request.viewer = viewer = Viewer.from_membership(alice.memberships.get())

    assert MemberSessionAuth()(request) is viewer
