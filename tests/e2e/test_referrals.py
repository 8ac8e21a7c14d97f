"""An officer on a phone makes an arrest-diversion referral and the on-call case manager,
paged, accepts it: the first minutes of the arrest-diversion door (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.access.roles import Role
from tandem.referrals.models import OnCallShift, Referral
from tandem.referrals.tests.conftest import adopt, seattle_rules
from tests.e2e.sign_in import sign_in
from tests.factories import OrganizationFactory, add_totp, member

# What the officer types or picks; the time is filled in, the rest is optional.
OFFICER_INPUTS = [
    "Given name",
    "Family name",
    "Date of birth",
    "Where",
    "Offence",
    "Substance",
    "Quantity (grams)",
    "Was it dealing for profit?",
]


@pytest.fixture
def scene(bridgeway):
    site = bridgeway.site
    police = OrganizationFactory(site=site, kind="police", name="Harbor PD")
    OrganizationFactory(site=site, kind="prosecutor", name="County Prosecutor")
    adopt(site, seattle_rules())
    officer = member(Role.POLICE_OFFICER, organization=police, username="officer")
    on_call = member(Role.CASE_MANAGER, organization=bridgeway, username="oncall")
    now = timezone.now()
    OnCallShift.objects.create(
        site=site,
        provider=bridgeway,
        user=on_call,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=11),
    )
    return officer, add_totp(officer), on_call, add_totp(on_call)


def test_an_officer_refers_at_arrest_and_the_on_call_case_manager_accepts(
    open_page, screenshot, browser_log, scene
):
    officer, officer_secret, on_call, on_call_secret = scene
    phone = open_page()
    sign_in(phone, username=officer.username, secret=officer_secret)

    phone.get_by_role("link", name="Referrals").click()
    phone.get_by_role("link", name="New arrest diversion").click()
    phone.get_by_label("Given name").fill("Rosa")
    phone.get_by_label("Family name").fill("Quintero")
    phone.get_by_label("Date of birth", exact=True).fill("1984-05-06")
    phone.get_by_label("Where", exact=True).fill("3rd Ave & Bell St")
    phone.get_by_label("Offence").select_option(
        label="Possession of a controlled substance (RCW 69.50.4013)"
    )
    phone.get_by_label("Substance").select_option("heroin")
    phone.get_by_label("Quantity (grams)").fill("1.2")
    phone.get_by_label("Was it dealing for profit?").select_option("no")
    # The presumptive result updates as the form changes, before anything is sent.
    eligibility = phone.locator("#eligibility")
    expect(eligibility).to_contain_text("Eligible")
    expect(eligibility).to_contain_text("Possession of a controlled substance")
    screenshot(phone, "officer-form")
    phone.get_by_role("button", name="Send and page the on-call case manager").click()

    expect(phone.get_by_text("Sent. The on-call case manager has been paged.")).to_be_visible()
    expect(phone.get_by_text("Waiting for a decision")).to_be_visible()
    screenshot(phone, "officer-sent")
    referral = Referral.objects.get()
    assert referral.referrer == officer

    pager = open_page()
    sign_in(pager, username=on_call.username, secret=on_call_secret)
    pager.get_by_role("link", name="Inbox").click()
    expect(pager.get_by_text("LEAD arrest diversion: an officer is waiting")).to_be_visible()
    screenshot(pager, "case-manager-inbox")
    pager.get_by_role("button", name="Open").click()
    expect(pager.get_by_role("heading", name="Rosa Quintero")).to_be_visible()
    pager.get_by_role("button", name="Accept the page").click()

    expect(pager.get_by_role("button", name="I have arrived")).to_be_visible()
    screenshot(pager, "case-manager-accepted")
    referral.refresh_from_db()
    assert referral.handoff_accepted_by == on_call
    assert referral.handoff_accepted_at is not None
    assert browser_log.problems() == []
