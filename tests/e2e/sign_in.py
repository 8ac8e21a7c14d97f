"""Signing in through the real forms, as a person with an authenticator app would."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def totp_code(secret: str) -> str:
    """The code the authenticator app shows now. The server accepts only the current 30 s
    window (MFA_TOTP_TOLERANCE is 0), so near the end of one, wait for the next. Each code
    works once (allauth remembers used codes in the cache): one sign-in per user per window."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left + 0.1)
    return totp.now()


def wrong_totp_code(secret: str) -> str:
    """A six-digit code that is valid in none of the windows around now."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    nearby = {totp.at(now + step * totp.interval) for step in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222") if code not in nearby)


def submit_password(page: Page, *, username: str, password: str = PASSWORD) -> None:
    """From the sign-in page, the first step: username and password."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def submit_code(page: Page, *, secret: str) -> None:
    """On the second-factor page, the second step: the authenticator app's code."""
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()


def sign_in(page: Page, *, username: str, secret: str, password: str = PASSWORD) -> None:
    """Both steps, starting from the home page's redirect; returns once signed in."""
    page.goto("/")
    submit_password(page, username=username, password=password)
    submit_code(page, secret=secret)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
