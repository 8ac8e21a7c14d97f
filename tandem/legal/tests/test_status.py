"""The status for legal partners: the holding team writes it from fixed choices and one short
sentence, previews exactly what partners will see, and each save is a new row."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.legal.models import LegalStatusSummary
from tandem.legal.services import legal_status_write
from tandem.legal.tests.conftest import release
from tandem.legal.tests.factories import LegalStatusSummaryFactory
from tests.factories import OrganizationFactory, add_totp, member, sign_in


def status_url(person):
    return reverse("legal:status_create", args=[person.public_id])


FORM = {
    "engagement": "regular",
    "progress": "progressing",
    "barriers": ["housing", "id_documents"],
    "note": "  Working on   getting an ID card.  ",
}


def fragment(html):
    """The status block exactly as rendered."""
    match = re.search(r'<dl class="legal-status">.*?</dl>', html, re.DOTALL)
    assert match is not None
    return match.group(0)


def test_the_holding_team_previews_then_shares_a_status(
    client, alice, rosa, bridgeway, city_attorney, public_defender
):
    release(rosa, bridgeway, city_attorney, public_defender)
    sign_in(client, alice)

    preview = client.post(status_url(rosa), {**FORM, "action": "preview"})

    assert preview.status_code == 200
    assert "This is exactly what the prosecutor and defender named in a release will see" in (
        preview.text
    )
    shown = fragment(preview.text)
    assert "Meets with the case manager regularly" in shown
    assert "Making progress on their goals" in shown
    assert "Housing, Identification documents" in shown
    assert "Working on getting an ID card." in shown
    assert "Read by" in preview.text
    assert "City Attorney (prosecutor)" in preview.text
    assert "Public Defender (public defender)" in preview.text
    assert "Share this status" in preview.text
    assert not LegalStatusSummary.objects.exists()

    saved = client.post(status_url(rosa), {**FORM, "action": "save"})

    assert saved.status_code == 302
    summary = LegalStatusSummary.objects.get()
    assert summary.person == rosa
    assert summary.written_by == alice
    assert summary.written_by_organization == bridgeway
    assert summary.engagement == "regular"
    assert summary.progress == "progressing"
    assert summary.barriers == ["housing", "id_documents"]
    assert summary.note == "Working on getting an ID card."
    event = AuditEvent.objects.get(action="legal_status.written")
    assert event.target_id == str(summary.public_id)
    assert event.actor == alice


def test_the_preview_is_exactly_what_the_prosecutor_then_sees(
    client, alice, paula, rosa, bridgeway, city_attorney
):
    release(rosa, bridgeway, city_attorney)
    sign_in(client, alice)
    preview = fragment(client.post(status_url(rosa), {**FORM, "action": "preview"}).text)
    client.post(status_url(rosa), {**FORM, "action": "save"})

    sign_in(client, paula)
    seen = client.get(reverse("legal:participant", args=[rosa.public_id]))

    assert fragment(seen.text) == preview


def test_a_new_status_is_a_new_row_and_the_old_one_stays_as_history(client, alice, rosa, bridgeway):
    sign_in(client, alice)
    client.post(status_url(rosa), {**FORM, "note": "First.", "action": "save"})
    client.post(
        status_url(rosa),
        {"engagement": "now_and_then", "progress": "steady", "note": "Second.", "action": "save"},
    )

    assert LegalStatusSummary.objects.count() == 2
    page = client.get(status_url(rosa))
    assert page.text.index("Second.") < page.text.index("First.")
    assert "shown now" in page.text


def test_nobody_reads_it_without_a_release_naming_a_legal_partner(
    client, alice, rosa, bridgeway, city_attorney, county_prosecutor
):
    release(rosa, bridgeway, county_prosecutor, categories=["enrollment", "identity"])
    sign_in(client, alice)

    page = client.get(status_url(rosa))

    assert "nobody outside your team reads this yet" in page.text
    assert "County Prosecutor" not in page.text


def test_the_form_warns_against_specifics_and_caps_the_sentence(client, alice, rosa):
    sign_in(client, alice)

    page = client.get(status_url(rosa))
    too_long = client.post(status_url(rosa), {**FORM, "note": "x" * 281, "action": "save"})

    assert "Do not include anything about conduct, health, substance use" in page.text
    assert 'maxlength="280"' in page.text
    assert too_long.status_code == 200
    assert "at most 280 characters" in too_long.text
    assert "x" * 281 in too_long.text  # what was typed is kept
    assert not LegalStatusSummary.objects.exists()


def test_a_status_without_the_choices_is_refused(client, alice, rosa):
    sign_in(client, alice)

    response = client.post(status_url(rosa), {"note": "Hello", "action": "save"})

    assert "Choose how the participant is engaged." in response.text
    assert "Choose how the participant is doing." in response.text
    assert not LegalStatusSummary.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"engagement": "chaotic"}, "engagement", "Choose how the participant is engaged."),
        ({"progress": "relapsed"}, "progress", "Choose how the participant is doing."),
        ({"barriers": ["housing", "drugs"]}, "barriers", "Choose barriers from the list only."),
        ({"note": "y" * 281}, "note", "Keep the sentence to 280 characters (it has 281)."),
    ],
)
def test_the_service_refuses_anything_outside_the_template(
    alice, rosa, bridgeway, change, field, message
):
    arguments = {
        "engagement": "regular",
        "progress": "steady",
        "barriers": [],
        "note": "",
        **change,
    }

    with pytest.raises(ValidationError) as refused:
        legal_status_write(actor=alice, person=rosa, written_by_organization=bridgeway, **arguments)

    assert refused.value.message_dict[field] == [message]
    assert not LegalStatusSummary.objects.exists()


def test_only_the_holding_provider_writes_the_status(alice, rosa, site_a):
    elsewhere = OrganizationFactory(site=site_a, kind="case_management")

    with pytest.raises(ValidationError) as refused:
        legal_status_write(
            actor=alice,
            person=rosa,
            written_by_organization=elsewhere,
            engagement="regular",
            progress="steady",
            barriers=[],
        )

    assert refused.value.message_dict["written_by_organization"] == [
        "Only the provider holding the participant's enrollment writes their status."
    ]


@pytest.mark.parametrize("who", ["other_provider", "ruth", "paula", "dana", "bob", "charlie"])
def test_anyone_but_the_holding_team_gets_404(client, request, rosa, site_a, who):
    if who == "other_provider":
        user = member(
            Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a, kind="case_management")
        )
        add_totp(user)
    else:
        user = request.getfixturevalue(who)
    sign_in(client, user)

    responses = [
        client.get(status_url(rosa)),
        client.post(status_url(rosa), {**FORM, "action": "save"}),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    assert not LegalStatusSummary.objects.exists()


def test_the_person_page_links_the_holding_team_to_the_legal_pages(
    client, alice, paula, rosa, bridgeway, city_attorney
):
    release(rosa, bridgeway, city_attorney)
    sign_in(client, alice)
    as_team = client.get(reverse("people:detail", args=[rosa.public_id])).text
    sign_in(client, paula)
    as_prosecutor = client.get(reverse("people:detail", args=[rosa.public_id])).text

    assert status_url(rosa) in as_team
    assert reverse("legal:letter_create", args=[rosa.public_id]) in as_team
    assert status_url(rosa) not in as_prosecutor
    assert reverse("legal:participant", args=[rosa.public_id]) in as_prosecutor


@pytest.mark.parametrize("count", [1, 50])
def test_the_status_page_runs_a_bounded_number_of_queries(
    client, alice, rosa, bridgeway, city_attorney, django_assert_max_num_queries, count
):
    release(rosa, bridgeway, city_attorney)
    for _ in range(count):
        LegalStatusSummaryFactory(person=rosa, written_by_organization=bridgeway, written_by=alice)
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        response = client.get(status_url(rosa))

    assert response.status_code == 200
    assert response.text.count("Working on getting an ID card.") == count


@pytest.mark.parametrize("count", [1, 50])
def test_the_status_preview_runs_a_bounded_number_of_queries(
    client, alice, rosa, bridgeway, city_attorney, django_assert_max_num_queries, count
):
    release(rosa, bridgeway, city_attorney)
    for _ in range(count):
        LegalStatusSummaryFactory(person=rosa, written_by_organization=bridgeway, written_by=alice)
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        response = client.post(status_url(rosa), {**FORM, "action": "preview"})

    assert "This is exactly what the prosecutor and defender" in response.text
