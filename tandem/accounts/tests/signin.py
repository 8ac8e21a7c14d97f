"""Signing in the way a person does: the allauth login form, then the authenticator code."""

from __future__ import annotations

import time

import pyotp
from django.test import Client

from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at the Unix time `at` (default: now)."""
    return str(pyotp.TOTP(secret).at(time.time() if at is None else at))


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
