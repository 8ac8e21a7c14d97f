"""Signing in and out in a real browser, on a phone-sized screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tandem.access.roles import Role
from tests.e2e.sign_in import submit_password, totp_code, wrong_totp_code
from tests.factories import EnrollmentFactory, PersonFactory, add_totp, member

LOGIN_PATH = re.compile(r"/accounts/login/")
MFA_PATH = re.compile(r"/accounts/2fa/authenticate/")


def test_case_manager_signs_in_with_totp_and_signs_out_on_a_phone(phone, screenshot, bridgeway):
    # Given a case manager with an authenticator app and one participant on her caseload
    alice = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(alice)
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes"),
        provider=bridgeway,
        case_manager=alice,
    )

    # When she opens Tandem, she is sent to the sign-in page
    phone.goto("/")
    expect(phone).to_have_url(LOGIN_PATH)
    expect(phone.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
    screenshot(phone, "1-login")

    # and after her password, Tandem asks for the second factor
    submit_password(phone, username="alice")
    expect(phone).to_have_url(MFA_PATH)
    expect(phone.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    phone.get_by_label("Code").fill(totp_code(secret))
    screenshot(phone, "2-mfa")
    phone.get_by_role("button", name="Verify").click()

    # Then she sees her caseload
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(phone.locator("#caseload").get_by_role("link", name="Rosa Parkes")).to_be_visible()
    expect(phone.get_by_role("banner")).to_contain_text(f"{alice} · Case manager · Bridgeway")
    screenshot(phone, "3-home")

    # and when she signs out, she is back at the sign-in page, signed out
    phone.get_by_role("button", name="Sign out").click()
    expect(phone).to_have_url(LOGIN_PATH)
    expect(phone.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(phone, "4-signed-out")
    phone.goto("/")
    expect(phone).to_have_url(LOGIN_PATH)


def test_wrong_totp_code_is_refused_and_does_not_sign_in(phone, screenshot, bridgeway):
    alice = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(alice)
    phone.goto("/")
    submit_password(phone, username="alice")
    expect(phone).to_have_url(MFA_PATH)

    phone.get_by_label("Code").fill(wrong_totp_code(secret))
    phone.get_by_role("button", name="Verify").click()

    expect(phone.get_by_role("alert")).to_have_text("Incorrect code.")
    expect(phone.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    expect(phone.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    screenshot(phone, "refused")
    # Still only half signed in: the home page sends her back to the second factor.
    phone.goto("/")
    expect(phone).to_have_url(MFA_PATH)
    expect(phone.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    expect(phone.get_by_role("heading", name="My caseload")).to_have_count(0)


def test_skip_link_is_the_first_thing_the_keyboard_reaches(phone, screenshot):
    phone.goto("/accounts/login/")

    phone.keyboard.press("Tab")

    focused = phone.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    skip_link = phone.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    screenshot(phone, "skip-link")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("main")).to_be_focused()


def test_password_help_is_read_out_with_the_password_field(phone):
    phone.goto("/accounts/login/")

    expect(phone.get_by_label("Password")).to_have_accessible_description(
        re.compile("Forgot your password"), timeout=2_000
    )
