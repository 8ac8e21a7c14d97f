"""Every page carries the Content-Security-Policy and the other protective headers."""

from __future__ import annotations

import re

import pytest

from tandem.access.roles import Role
from tandem.tenancy.models import Membership
from tests.factories import OrganizationFactory, PersonFactory, add_totp, member, sign_in

CSP = "Content-Security-Policy"


def script_nonce(response) -> str:
    policy = response[CSP]
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_\-+/=]+)'", policy)
    assert match, policy
    return match.group(1)


def assert_protected(response) -> None:
    policy = response[CSP]
    nonce = script_nonce(response)
    # The nonce in the header is the one on the page's scripts, so they, and only they, run.
    assert f'<script src="/static/vendor/htmx/htmx.min.js" nonce="{nonce}"' in response.text
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_sign_in_page_is_protected(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert_protected(response)


def test_the_second_factor_page_is_protected(client, alice):
    client.post("/accounts/login/", {"login": "alice", "password": "correct horse battery staple"})

    response = client.get("/accounts/2fa/authenticate/")

    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.parametrize("path", ["/", "/people/", "/people/?q=Rosa", "/accounts/2fa/"])
def test_case_manager_pages_are_protected(login, alice, path):
    response = login(alice).get(path)

    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.parametrize("path", ["/", "/audit/", "/tokens/"])
def test_site_admin_pages_are_protected(login, admin, path):
    response = login(admin).get(path)

    assert response.status_code == 200
    assert_protected(response)


def test_the_person_page_is_protected(login, alice, site_a):
    person = PersonFactory(site=site_a)

    response = login(alice).get(f"/people/{person.public_id}/")

    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_not_found_page_is_protected(client, alice, signed_in):
    if signed_in:
        sign_in(client, alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert_protected(response)


def test_the_site_chooser_is_protected(login, site_a, site_b, bridgeway):
    user = member(Role.CASE_MANAGER, organization=bridgeway)
    Membership.objects.create(
        user=user, site=site_b, organization=OrganizationFactory(site=site_b), role="case_manager"
    )
    add_totp(user)

    response = login(user).get("/sites/")

    assert response.status_code == 200
    assert "Choose the site you are working at" in response.text
    assert_protected(response)


def test_the_lockout_page_is_protected(client, settings, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"login": "alice", "password": "wrong guess"})

    assert response.status_code == 429
    assert_protected(response)


def test_each_response_gets_a_fresh_nonce(client, db):
    first = script_nonce(client.get("/accounts/login/"))
    second = script_nonce(client.get("/accounts/login/"))

    assert first != second
