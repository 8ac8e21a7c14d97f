"""Recording a release of information on a phone, with a signature drawn on the screen,
then opening the participant's printable copy."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tandem.access.roles import Role
from tandem.consent.models import Consent
from tests.e2e.sign_in import sign_in
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
)


@pytest.fixture
def scene(bridgeway, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    secret = add_totp(user)
    police = OrganizationFactory(site=bridgeway.site, kind="police", name="City Police")
    person = PersonFactory(
        site=bridgeway.site,
        given_name="Rosa",
        family_name="Quintero",
        date_of_birth=dt.date(1985, 2, 3),
    )
    EnrollmentFactory(person=person, provider=bridgeway)
    return user, secret, person, police


def test_record_a_release_with_a_drawn_signature_and_print_it(
    open_page, screenshot, browser_log, scene
):
    user, secret, person, police = scene
    page = open_page()
    sign_in(page, username=user.username, secret=secret)

    page.goto(f"/people/{person.public_id}/consents/new/")
    page.get_by_label("City Police (Police)").check()
    page.get_by_label("What the information is for, in the participant's words").fill(
        "So that officers know whom to call."
    )
    page.get_by_label("Participant's name, typed").fill("Rosa Quintero")
    canvas = page.get_by_label("Signature pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (step % 3) * 10)
    page.mouse.up()
    expect(page.get_by_role("button", name="Clear the signature")).to_be_visible()
    screenshot(page, "form")

    page.get_by_role("button", name="Record the release").click()

    expect(page.get_by_role("heading", name="Release of information")).to_be_visible()
    expect(page.get_by_text("You can take back (revoke) this agreement")).to_be_visible()
    signature = page.get_by_role("img", name="Signature of Rosa Quintero")
    expect(signature).to_be_visible()
    # The image arrives after the page: wait for it to load (and fail if it never does).
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=signature.element_handle()
    )
    consent = Consent.objects.get()
    assert consent.signature_kind == Consent.SignatureKind.DRAWN
    assert list(consent.grants.values_list("organization", "categories")) == [
        (police.pk, ["enrollment"])
    ]
    screenshot(page, "copy")
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    screenshot(page, "print")
    assert browser_log.problems() == []
