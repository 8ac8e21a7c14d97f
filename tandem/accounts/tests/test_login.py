"""Signing in through the real allauth flow: password, then the authenticator code."""

from __future__ import annotations

import pytest

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.accounts.tests.signin import (
    LOGIN_URL,
    MFA_URL,
    sign_in,
    signed_in_user_id,
    submit_password,
)
from tandem.audit.models import AuditEvent
from tests import factories
from tests.factories import EnrollmentFactory, PersonFactory, add_totp, member

WRONG_CREDENTIALS = "The username and/or password you specified are not correct."

ROLE_HOME_HEADINGS = {
    Role.CASE_MANAGER: "<h1>My caseload</h1>",
    Role.POLICE_OFFICER: "<h1>Police officer · Site A</h1>",
    Role.PROSECUTOR: "<h1>Liaison prosecutor · Site A</h1>",
    Role.PROJECT_MANAGER: "<h1>Site A at a glance</h1>",
    Role.SITE_ADMIN: "<h1>Administering Site A</h1>",
    Role.EVALUATOR: "<h1>Site A: figures</h1>",
    Role.NATIONAL_SUPPORT: "<h1>Across LEAD sites</h1>",
}


def test_it_signs_in_with_password_and_authenticator_code(client, bridgeway):
    # Given Alice, a case manager with an authenticator app and one participant
    alice = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(alice)
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes"),
        provider=bridgeway,
        case_manager=alice,
    )

    # When she types her password and then the code her app shows
    response = sign_in(client, "alice", secret)

    # Then she lands on her caseload, signed in as herself
    assert response.redirect_chain[-1] == ("/", 302)
    assert response.status_code == 200
    assert "<h1>My caseload</h1>" in response.text
    assert "Rosa Parkes" in response.text
    assert signed_in_user_id(client) == str(alice.pk)
    # And the sign-in is on the audit chain
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor_id == alice.pk
    assert login.actor_label == "alice"
    assert login.ip == "127.0.0.1"


def test_password_alone_does_not_sign_in_a_user_with_an_authenticator(client, alice):
    response = submit_password(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == MFA_URL
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.parametrize("role", list(ROLE_HOME_HEADINGS))
def test_each_role_lands_on_its_own_home_page(client, site_a, role):
    user = member(role, site=site_a, username="someone")
    secret = add_totp(user)

    response = sign_in(client, "someone", secret)

    assert response.redirect_chain[-1] == ("/", 302)
    assert ROLE_HOME_HEADINGS[role] in response.text
    assert AuditEvent.objects.filter(action="auth.login", actor_id=user.pk).count() == 1


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "not her password at all"), ("nobody-by-this-name", "any password at all")],
    ids=["wrong-password", "unknown-user"],
)
def test_wrong_credentials_show_a_clear_message_and_create_no_session(
    client, alice, username, password
):
    response = submit_password(client, username, password)

    # The same message for an unknown user and a wrong password: nothing is enumerable.
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.text
    assert 'role="alert"' in response.text
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_signing_out_ends_the_session_and_is_audited(client, alice):
    factories.sign_in(client, alice)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=alice.pk).count() == 1


def test_nobody_can_sign_up(client, db):
    passphrase = "a long passphrase of many words"

    response = client.post(
        "/accounts/signup/",
        {"username": "mallory", "password1": passphrase, "password2": passphrase},
    )

    assert "Sign Up Closed" in response.text
    assert not User.objects.filter(username="mallory").exists()
    assert signed_in_user_id(client) is None
