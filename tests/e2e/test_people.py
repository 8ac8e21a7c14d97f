"""Finding and recording people on a phone: the ranked search box, and search before create
while the case manager types."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tandem.access.roles import Role
from tandem.people.models import Person
from tests.e2e.sign_in import sign_in
from tests.factories import PersonFactory, add_totp, member


@pytest.fixture
def case_manager(bridgeway):
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(user)
    PersonFactory(
        site=bridgeway.site,
        given_name="William",
        family_name="Okafor",
        date_of_birth=dt.date(1980, 3, 4),
    )
    PersonFactory(site=bridgeway.site, given_name="Luis", family_name="Tran")
    return user, secret


def test_search_ranks_a_nickname_first_and_says_why(open_page, screenshot, case_manager):
    user, secret = case_manager
    page = open_page()
    sign_in(page, username=user.username, secret=secret)

    page.goto("/people/")
    page.get_by_label("Name, alias, nickname, date of birth or identifier").fill("bill okafor")

    results = page.locator("#results")
    expect(results.get_by_role("link", name="William Okafor")).to_be_visible()
    expect(results).to_contain_text("nickname")
    expect(results.get_by_role("link", name="Luis Tran")).to_have_count(0)
    screenshot(page, "search")


def test_search_before_create_shows_the_likely_match_while_typing(
    open_page, screenshot, case_manager
):
    user, secret = case_manager
    page = open_page()
    sign_in(page, username=user.username, secret=secret)

    page.goto("/people/new/")
    page.get_by_label("Given name", exact=True).fill("Bill")
    page.get_by_label("Family name", exact=True).fill("Okafor")
    page.get_by_label("Date of birth", exact=True).fill("1980-04-03")

    candidates = page.locator("#candidates")
    expect(candidates.get_by_role("link", name="William Okafor")).to_be_visible()
    expect(candidates).to_contain_text("swapped")
    screenshot(page, "candidates")

    # Creating anyway needs an explicit "none of these"; what was typed stays.
    page.get_by_role("button", name="Record this person").click()
    expect(page.get_by_label("None of these — create a new person")).to_be_visible()
    expect(page.get_by_label("Given name", exact=True)).to_have_value("Bill")
    assert Person.objects.filter(given_name="Bill").count() == 0

    page.get_by_label("None of these — create a new person").check()
    page.get_by_role("button", name="Record this person").click()
    expect(page.get_by_role("heading", name="Bill Okafor")).to_be_visible()
    assert Person.objects.filter(given_name="Bill", family_name="Okafor").count() == 1
