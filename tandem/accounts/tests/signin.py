"""Signing in the way a person does: the allauth login form, then the authenticator code."""

from __future__ import annotations

import time

import pyotp
from django.test import Client

from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"


# A code is good for its 30-second window only (no tolerance), and the server checks it a
# request later: a code read in the last seconds of its window could expire on the way.
TOTP_STEP = 30
TOTP_MARGIN = 5


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at the Unix time `at` (default: now,
    waiting for the next window first if this one ends within TOTP_MARGIN seconds, as a
    person would rather than type a code about to change)."""
    if at is None:
        left = TOTP_STEP - time.time() % TOTP_STEP
        if left < TOTP_MARGIN:
            time.sleep(left + 0.05)
        at = time.time()
    return str(pyotp.TOTP(secret).at(at))


def submit_password(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"login": username, "password": password})


def submit_code(client: Client, code: str):
    return client.post(MFA_URL, {"code": code})


def sign_in(client: Client, username: str, secret: str):
    """Password, then the current TOTP code; returns the final (followed) response."""
    response = submit_password(client, username)
    assert response.status_code == 302
    assert response["Location"] == MFA_URL
    return client.post(MFA_URL, {"code": totp_code(secret)}, follow=True)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
