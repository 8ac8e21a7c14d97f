"""A security key (WebAuthn) as the second factor, with Chromium's virtual authenticator
standing in for the key: added under the site's CSP, then used to sign in."""

from __future__ import annotations

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tandem.access.roles import Role
from tests.e2e.sign_in import submit_password
from tests.factories import PASSWORD, member

MFA_PATH = re.compile(r"/accounts/2fa/authenticate/")


def attach_virtual_key(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_case_manager_adds_a_security_key_and_signs_in_with_it(
    open_page, screenshot, browser_log, bridgeway
):
    alice = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    page = open_page(width=1024, height=900)
    attach_virtual_key(page)

    # Given a case manager without a second factor, who is sent to set one up
    page.goto("/")
    submit_password(page, username="alice")
    page.goto("/accounts/2fa/webauthn/add/")
    if page.get_by_label(re.compile("Password")).count():
        page.get_by_label(re.compile("Password")).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()

    # When she names a key and adds it
    page.get_by_label(re.compile("Name")).fill("Work key")
    screenshot(page, "1-add")
    page.get_by_role("button", name="Add").click()

    # Then Tandem holds a WebAuthn authenticator for her
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    screenshot(page, "2-added")
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.WEBAUTHN).exists()

    # and a fresh sign-in asks for the second factor, which the key gives
    page.context.clear_cookies()
    page.goto("/")
    submit_password(page, username="alice")
    expect(page).to_have_url(MFA_PATH)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    screenshot(page, "3-home")
    assert browser_log.problems() == []
