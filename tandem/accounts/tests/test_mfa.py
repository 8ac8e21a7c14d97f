"""The second step of signing in: the code from the authenticator app."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from tandem.access.roles import Role
from tandem.accounts.tests.signin import (
    LOGIN_URL,
    MFA_URL,
    sign_in,
    signed_in_user_id,
    submit_code,
    submit_password,
    totp_code,
)
from tandem.audit.models import AuditEvent
from tests.factories import PASSWORD, add_totp, member

INCORRECT_CODE = "Incorrect code."


@pytest.fixture
def alice_secret(bridgeway):
    alice = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    return add_totp(alice)


def expired_code(secret: str) -> str:
    """A code the app showed at least ten minutes ago, and unlike the current one."""
    now = time.time()
    current = totp_code(secret, at=now)
    for seconds_ago in range(600, 1200, 30):
        code = totp_code(secret, at=now - seconds_ago)
        if code != current:
            return code
    raise AssertionError("every code of the last 20 minutes equals the current one")


def wrong_code(secret: str) -> str:
    current = totp_code(secret)
    return "000000" if current != "000000" else "111111"


@pytest.mark.parametrize("make_code", [wrong_code, expired_code], ids=["wrong", "expired"])
def test_a_bad_code_shows_a_clear_error_and_does_not_sign_in(client, alice_secret, make_code):
    # Given Alice, past her password and asked for her code
    assert submit_password(client, "alice")["Location"] == MFA_URL
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))

    # When she types a code that is wrong, or one that expired ten minutes ago
    response = submit_code(client, make_code(alice_secret))

    # Then the code page says so, and she is not signed in
    assert response.status_code == 200
    assert INCORRECT_CODE in response.text
    assert 'role="alert"' in response.text
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)
    # And the failure is the only thing recorded
    new_events = AuditEvent.objects.exclude(pk__in=events_before)
    assert list(new_events.values_list("action", "actor_label", "detail")) == [
        ("mfa.failed", "alice", {"type": "totp"})
    ]
    assert Authenticator.objects.get(type=Authenticator.Type.TOTP).last_used_at is None


def test_after_a_wrong_code_the_right_one_still_signs_in(client, alice_secret):
    submit_password(client, "alice")
    submit_code(client, wrong_code(alice_secret))

    response = submit_code(client, totp_code(alice_secret))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is not None
    assert AuditEvent.objects.filter(action="auth.login").count() == 1


def test_a_code_cannot_be_used_twice(client, alice_secret):
    # Given Alice signed in with the code her app shows, then signed out
    code = totp_code(alice_secret)
    submit_password(client, "alice")
    assert submit_code(client, code)["Location"] == "/"
    client.post("/accounts/logout/")

    # When someone who saw that code over her shoulder signs in with her password and it
    submit_password(client, "alice")
    response = submit_code(client, code)

    # Then the code is refused
    assert INCORRECT_CODE in response.text
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="auth.login").count() == 1


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, alice_secret):
    response = submit_code(client, totp_code(alice_secret))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert signed_in_user_id(client) is None


def test_a_successful_sign_in_records_the_use_of_the_authenticator(client, alice_secret):
    sign_in(client, "alice", alice_secret)

    assert Authenticator.objects.get(type=Authenticator.Type.TOTP).last_used_at is not None
    assert not AuditEvent.objects.filter(action="mfa.failed").exists()


def test_guessing_codes_locks_the_account_like_wrong_passwords(client, alice_secret):
    # Given Alice's password, known to an attacker who now guesses codes
    submit_password(client, "alice")
    for _ in range(4):
        assert INCORRECT_CODE in submit_code(client, wrong_code(alice_secret)).text

    # When the fifth guess is wrong too
    fifth = submit_code(client, wrong_code(alice_secret))

    # Then the account is locked: even the right code and a fresh sign-in are refused
    assert fifth.status_code == 429
    assert "This account is locked" in fifth.text
    right = submit_code(client, totp_code(alice_secret))
    assert "This account is locked" in right.text
    assert signed_in_user_id(client) is None
    again = Client().post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert again.status_code == 429
    assert AuditEvent.objects.filter(action="mfa.failed").count() == 5
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
