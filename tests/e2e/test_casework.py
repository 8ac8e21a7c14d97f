"""A case manager on a phone logs contacts from the caseload: in a few taps, and without
losing one typed while the phone has no connection (issue 5)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tandem.access.roles import Role
from tandem.casework.models import Contact
from tests.e2e.sign_in import sign_in
from tests.factories import EnrollmentFactory, PersonFactory, add_totp, member

QUEUED = (
    "No connection. The contact is kept on this phone and will be sent when the connection returns."
)
CASEWORK_PAGE = re.compile(r"/casework/people/[0-9a-f-]+/$")


@pytest.fixture
def scene(bridgeway):
    alma = member(Role.CASE_MANAGER, organization=bridgeway, username="alma")
    secret = add_totp(alma)
    enrollment = EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Quintero"),
        provider=bridgeway,
        case_manager=alma,
    )
    return alma, secret, enrollment


class Taps:
    """Counts what the case manager taps."""

    def __init__(self) -> None:
        self.count = 0

    def tap(self, locator) -> None:
        self.count += 1
        locator.click()


def form_url(enrollment) -> str:
    return f"/casework/contacts/new/{enrollment.public_id}/"


def test_a_contact_is_logged_from_the_caseload_in_four_taps(
    open_page, screenshot, browser_log, scene
):
    alma, secret, _ = scene
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    screenshot(phone, "1-caseload")

    # Choosing the person: the row's "Log contact".
    row = phone.locator("#caseload li", has_text="Rosa Quintero")
    row.get_by_role("link", name="Log contact").click()
    expect(phone.get_by_role("heading", name="Contact with Rosa Quintero")).to_be_visible()

    taps = Taps()
    taps.tap(phone.get_by_text("Substantive", exact=True))
    taps.tap(phone.get_by_text("Street", exact=True))
    taps.tap(phone.get_by_text("15 min", exact=True))
    screenshot(phone, "2-form")
    taps.tap(phone.get_by_role("button", name="Save contact"))

    expect(phone.get_by_text("Contact with Rosa Quintero logged.")).to_be_visible()
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(row).to_contain_text("substantive contact today")
    screenshot(phone, "3-logged")
    assert taps.count <= 5
    saved = Contact.objects.get()
    assert (saved.kind, saved.mode, saved.minutes, saved.recorded_by) == (
        "substantive",
        "street",
        15,
        alma,
    )
    assert browser_log.problems() == []


def test_a_contact_typed_offline_is_sent_when_the_connection_returns(
    open_page, screenshot, browser_log, scene
):
    alma, secret, enrollment = scene
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    phone.goto(form_url(enrollment))

    phone.context.set_offline(True)
    phone.get_by_text("Attempt", exact=True).click()
    phone.get_by_text("Shelter", exact=True).click()
    phone.get_by_text("5 min", exact=True).click()
    phone.get_by_label("Note", exact=True).fill("Not at the shelter; left a message with staff.")
    phone.get_by_role("button", name="Save contact").click()

    expect(phone.get_by_text(QUEUED)).to_be_visible()
    screenshot(phone, "1-queued-offline")
    assert not Contact.objects.exists()

    phone.context.set_offline(False)

    expect(phone).to_have_url(CASEWORK_PAGE)
    expect(phone.get_by_text("Contact with Rosa Quintero logged.")).to_be_visible()
    expect(phone.get_by_text("Not at the shelter; left a message with staff.")).to_be_visible()
    screenshot(phone, "2-sent-online")
    saved = Contact.objects.get()
    assert (saved.kind, saved.mode, saved.minutes) == ("attempt", "shelter", 5)
    assert saved.client_token is not None
    assert phone.evaluate("Object.keys(localStorage).length") == 0
    assert browser_log.problems() == []


def test_a_queued_contact_survives_closing_the_page_and_is_sent_once_back_online(
    open_page, screenshot, browser_log, scene
):
    alma, secret, enrollment = scene
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    phone.goto(form_url(enrollment))
    context = phone.context

    context.set_offline(True)
    phone.get_by_text("Substantive", exact=True).click()
    phone.get_by_text("Street", exact=True).click()
    phone.get_by_text("30 min", exact=True).click()
    phone.get_by_label("Note", exact=True).fill("Talked about the ID appointment.")
    phone.get_by_role("button", name="Save contact").click()
    expect(phone.get_by_text(QUEUED)).to_be_visible()
    # The phone's browser closes the tab while there is no connection.
    phone.close()
    context.set_offline(False)
    assert not Contact.objects.exists()

    again = context.new_page()
    again.goto(form_url(enrollment))

    expect(again).to_have_url(CASEWORK_PAGE)
    expect(again.get_by_text("Contact with Rosa Quintero logged.")).to_be_visible()
    screenshot(again, "sent-after-reopening")
    saved = Contact.objects.get()
    assert (saved.kind, saved.minutes, saved.note) == (
        "substantive",
        30,
        "Talked about the ID appointment.",
    )
    assert browser_log.problems() == []


def test_what_was_typed_offline_survives_a_reload(open_page, screenshot, browser_log, scene):
    alma, secret, enrollment = scene
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    phone.goto(form_url(enrollment))

    phone.context.set_offline(True)
    phone.get_by_text("Collateral", exact=True).click()
    phone.get_by_text("Phone", exact=True).click()
    phone.get_by_label("Note", exact=True).fill("Her sister says she is at the hospital.")
    phone.context.set_offline(False)
    phone.reload()

    expect(phone.get_by_text("Restored what you typed earlier on this phone.")).to_be_visible()
    expect(phone.get_by_label("Note", exact=True)).to_have_value(
        "Her sister says she is at the hospital."
    )
    expect(phone.get_by_label("Collateral")).to_be_checked()
    screenshot(phone, "restored")
    phone.get_by_text("15 min", exact=True).click()
    phone.get_by_role("button", name="Save contact").click()

    expect(phone).to_have_url(CASEWORK_PAGE)
    saved = Contact.objects.get()
    assert (saved.kind, saved.mode, saved.note) == (
        "collateral",
        "phone",
        "Her sister says she is at the hospital.",
    )
    assert browser_log.problems() == []


def test_a_draft_with_an_error_shows_what_to_fix_and_keeps_the_words(open_page, browser_log, scene):
    alma, secret, enrollment = scene
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    phone.goto(form_url(enrollment))

    phone.get_by_text("Substantive", exact=True).click()
    phone.get_by_label("Note", exact=True).fill("Keep these words")
    phone.get_by_role("button", name="Save contact").click()

    expect(phone.get_by_text("Choose where the contact happened.")).to_be_visible()
    expect(phone.get_by_text("How long was it? Tap a length or type the minutes.")).to_be_visible()
    expect(phone.get_by_label("Note", exact=True)).to_have_value("Keep these words")
    assert not Contact.objects.exists()
    # Fixed, it goes through.
    phone.get_by_text("Office", exact=True).click()
    phone.get_by_text("45 min", exact=True).click()
    phone.get_by_role("button", name="Save contact").click()
    expect(phone).to_have_url(CASEWORK_PAGE)
    assert Contact.objects.get().note == "Keep these words"
    assert browser_log.problems() == []


def test_a_restored_draft_keeps_a_goal_achieved_since_and_saves_it(
    open_page, screenshot, browser_log, scene
):
    from django.utils import timezone

    from tandem.casework.support.models import ContactGoal, Goal, Plan

    alma, secret, enrollment = scene
    plan = Plan.objects.create(
        site=enrollment.site, person=enrollment.person, enrollment=enrollment
    )
    goal = Goal.objects.create(
        plan=plan,
        domain="housing",
        category="casework",
        words="A place of my own",
        status_changed_on=timezone.localdate(),
        recorded_by_organization=enrollment.provider,
    )
    phone: Page = open_page()
    sign_in(phone, username=alma.username, secret=secret)
    phone.goto(form_url(enrollment))
    phone.get_by_text("Substantive", exact=True).click()
    phone.get_by_text("Street", exact=True).click()
    phone.get_by_text("30 min", exact=True).click()
    phone.get_by_text("Goals touched and services given").click()
    phone.get_by_label("A place of my own").check()
    context = phone.context
    phone.close()
    # Before the draft is sent, the goal is achieved: it is no longer offered on the form.
    Goal.objects.filter(pk=goal.pk).update(status="achieved")

    again = context.new_page()
    again.goto(form_url(enrollment))

    expect(again.get_by_text("Restored what you typed earlier on this phone.")).to_be_visible()
    expect(again.get_by_label("A place of my own (chosen earlier)")).to_be_checked()
    screenshot(again, "kept-goal")
    again.get_by_role("button", name="Save contact").click()
    expect(again).to_have_url(CASEWORK_PAGE)
    expect(again.get_by_text("Goals: A place of my own")).to_be_visible()
    saved = Contact.objects.get()
    assert ContactGoal.objects.get(contact=saved).goal == goal
    assert browser_log.problems() == []
