"""What every page owes a user on a small phone: it fits the screen, and its scripts run under
the Content Security Policy without complaint."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tandem.access.roles import Role
from tests.e2e.sign_in import sign_in, submit_code, submit_password
from tests.factories import EnrollmentFactory, PersonFactory, add_totp, member

NARROW_PHONE = 360


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def case_manager_with_caseload(bridgeway):
    """A case manager with two participants, one with a long double-barrelled name."""
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(user)
    for given, family in [("Rosa", "Parkes"), ("Maximiliana", "Featherstonehaugh-Worthington")]:
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site, given_name=given, family_name=family),
            provider=bridgeway,
            case_manager=user,
        )
    return user, secret


def test_pages_fit_a_360_px_screen_without_sideways_scrolling(
    open_page, screenshot, case_manager_with_caseload
):
    user, secret = case_manager_with_caseload
    page = open_page(width=NARROW_PHONE, height=740)

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
    screenshot(page, "login")
    assert horizontal_overflow(page) <= 0, "the sign-in page scrolls sideways at 360 px"

    submit_password(page, username=user.username)
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    assert horizontal_overflow(page) <= 0, "the second-factor page scrolls sideways at 360 px"

    submit_code(page, secret=secret)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(
        page.get_by_role("link", name="Maximiliana Featherstonehaugh-Worthington")
    ).to_be_visible()
    screenshot(page, "home")
    assert horizontal_overflow(page) <= 0, "the home page scrolls sideways at 360 px"


def test_pages_run_their_scripts_without_csp_violations_or_console_errors(
    phone, browser_log, case_manager_with_caseload
):
    user, secret = case_manager_with_caseload

    response = phone.goto("/accounts/login/")
    assert response is not None
    assert "nonce-" in response.headers["content-security-policy"]
    sign_in(phone, username=user.username, secret=secret)
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()

    # htmx is loaded with the page's nonce; were the nonce wrong, the policy would block it.
    assert phone.evaluate("typeof window.htmx") == "object"
    assert browser_log.problems() == []


def test_harness_notices_a_csp_violation(phone, browser_log):
    """Guards the test above: a script without the nonce must show up as a problem."""
    phone.goto("/accounts/login/")

    with phone.expect_console_message(lambda m: "Content Security Policy" in m.text):
        phone.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.append(script);
            }"""
        )

    assert phone.evaluate("window.injected") is None
    problems = browser_log.problems()
    assert any("Content Security Policy" in problem for problem in problems), problems


def test_harness_notices_sideways_scrolling(open_page):
    """Guards the 360 px test: a page wider than the screen must measure as overflowing."""
    page = open_page(width=NARROW_PHONE, height=740)
    page.goto("/accounts/login/")
    assert horizontal_overflow(page) <= 0

    page.evaluate(
        """() => {
            const wide = document.createElement("div");
            wide.style.width = "500px";
            wide.style.height = "1px";
            document.querySelector("main").append(wide);
        }"""
    )

    assert horizontal_overflow(page) > 0
