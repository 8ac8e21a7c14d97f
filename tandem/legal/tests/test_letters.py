"""Golden-Rule letters: engagement and general progress only, from the latest status, to an
organisation a current release names for legal information; previewed exactly, kept as
issued, printable by the holding team only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.disclosures import PART2_STATEMENT
from tandem.audit.models import AuditEvent
from tandem.legal.models import Letter
from tandem.legal.tests.conftest import release
from tandem.legal.tests.factories import LegalStatusSummaryFactory, LetterFactory
from tests.factories import EnrollmentFactory, OrganizationFactory, PersonFactory, sign_in


def letters_url(person):
    return reverse("legal:letter_create", args=[person.public_id])


def form(court, **overrides):
    data = {
        "template": "court",
        "recipient": str(court.public_id),
        "addressee": "Judge A. Alvarez, Department 3",
        "action": "preview",
    }
    return {**data, **overrides}


@pytest.fixture
def summary(rosa, bridgeway, alice):
    return LegalStatusSummaryFactory(
        person=rosa,
        written_by_organization=bridgeway,
        written_by=alice,
        engagement="regular",
        progress="steady",
        barriers=["housing", "phone"],
        note="Waiting on a housing voucher.",
    )


@pytest.fixture
def court_release(rosa, bridgeway, municipal_court):
    return release(rosa, bridgeway, municipal_court)


def test_the_preview_shows_exactly_the_letter_and_the_consent_that_covers_it(
    client, alice, rosa, summary, court_release, municipal_court
):
    sign_in(client, alice)

    response = client.post(letters_url(rosa), form(municipal_court))

    assert response.status_code == 200
    text = response.text
    assert "Exactly what will be shared" in text
    assert "Re: Rosa Quintero" in text
    assert "Judge A. Alvarez, Department 3" in text
    assert "Rosa Quintero meets with their case manager regularly." in text
    assert "Their progress is steady." in text
    assert "June 1, 2026" in text
    # Engagement and general progress only: not the barriers, not the free sentence.
    assert "housing voucher" not in text
    assert "Phone" not in text
    assert f"signed {court_release.signed_on:%B} {court_release.signed_on.day}" in text
    assert "naming Municipal Court for legal information" in text
    assert "Issue the letter" in text
    assert not Letter.objects.exists()
    assert AuditEvent.objects.filter(action="letter.previewed").count() == 1


def test_the_issued_letter_keeps_the_previewed_text_and_prints(
    client, alice, rosa, summary, court_release, municipal_court, site_a
):
    sign_in(client, alice)
    client.post(letters_url(rosa), form(municipal_court))

    response = client.post(
        letters_url(rosa),
        form(municipal_court, action="issue", summary=str(summary.public_id)),
    )

    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:letter", args=[letter.public_id])
    assert letter.consent == court_release
    assert letter.summary == summary
    assert letter.recipient_organization == municipal_court
    assert letter.issued_by == alice
    assert letter.template == "court"
    assert letter.text.startswith(f"{site_a.name}\nJune 1, 2026\n\nJudge A. Alvarez")
    assert "Rosa Quintero meets with their case manager regularly. Their progress is steady." in (
        letter.text
    )
    assert PART2_STATEMENT not in letter.text
    event = AuditEvent.objects.get(action="letter.issued")
    assert event.detail["consent"] == str(court_release.public_id)
    printable = client.get(response["Location"])
    assert printable.status_code == 200
    assert site_a.name in printable.text
    assert "Re: Rosa Quintero" in printable.text
    assert AuditEvent.objects.filter(action="letter.viewed").count() == 1


def test_the_probation_template_speaks_to_the_probation_officer(
    client, alice, rosa, summary, court_release, municipal_court
):
    sign_in(client, alice)

    response = client.post(letters_url(rosa), form(municipal_court, template="probation"))

    assert "for Rosa Quintero&#x27;s probation officer" in response.text


def test_a_letter_without_a_status_is_refused(client, alice, rosa, court_release, municipal_court):
    sign_in(client, alice)

    page = client.get(letters_url(rosa))
    response = client.post(letters_url(rosa), form(municipal_court, action="issue"))

    assert "No status for legal partners is written yet." in page.text
    assert response.status_code == 200
    assert "There is no status for legal partners yet." in response.text
    assert 'value="Judge A. Alvarez, Department 3"' in response.text
    assert not Letter.objects.exists()


@pytest.mark.parametrize(
    "state",
    ["none", "without_legal", "expired", "revoked_for_that_organisation", "naming_another"],
)
def test_a_letter_no_current_release_covers_is_refused(
    client, alice, rosa, summary, bridgeway, municipal_court, public_defender, state
):
    today = timezone.localdate()
    if state == "without_legal":
        release(rosa, bridgeway, municipal_court, categories=["enrollment", "identity"])
    elif state == "expired":
        release(
            rosa,
            bridgeway,
            municipal_court,
            effective_on=today - dt.timedelta(days=400),
            expires_on=today - dt.timedelta(days=1),
        )
    elif state == "revoked_for_that_organisation":
        consent = release(rosa, bridgeway, municipal_court, public_defender)
        consent.grants.filter(organization=municipal_court).update(revoked_at=timezone.now())
    elif state == "naming_another":
        release(rosa, bridgeway, public_defender)
    sign_in(client, alice)

    preview = client.post(letters_url(rosa), form(municipal_court))
    issue = client.post(letters_url(rosa), form(municipal_court, action="issue"))

    message = "No current release of information names Municipal Court for legal information"
    assert message in preview.text
    assert message in issue.text
    assert "Issue the letter" not in preview.text
    assert not Letter.objects.exists()


def test_a_status_changed_since_the_preview_needs_a_new_preview(
    client, alice, rosa, summary, bridgeway, court_release, municipal_court
):
    sign_in(client, alice)
    client.post(letters_url(rosa), form(municipal_court))
    LegalStatusSummaryFactory(person=rosa, written_by_organization=bridgeway, progress="setbacks")

    response = client.post(
        letters_url(rosa),
        form(municipal_court, action="issue", summary=str(summary.public_id)),
    )

    assert "changed since the preview" in response.text
    assert not Letter.objects.exists()


def test_a_part2_programme_letter_needs_its_own_release_and_carries_the_notice(
    client, site_a, bridgeway, municipal_court
):
    from tandem.access.roles import Role
    from tests.factories import add_totp, member

    programme = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    worker = member(Role.CASE_MANAGER, organization=programme, username="pat")
    add_totp(worker)
    person = PersonFactory(site=site_a, given_name="Parker", family_name="Two")
    EnrollmentFactory(person=person, provider=programme)
    LegalStatusSummaryFactory(person=person, written_by_organization=programme)
    # Another provider's release does not unlock what the programme holds (42 CFR 2.31).
    release(person, bridgeway, municipal_court)
    sign_in(client, worker)

    refused = client.post(letters_url(person), form(municipal_court))
    release(person, programme, municipal_court)
    allowed = client.post(letters_url(person), form(municipal_court))

    assert "No current release of information names Municipal Court" in refused.text
    assert "Exactly what will be shared" in allowed.text
    assert "42 CFR part 2" in allowed.text
    client.post(letters_url(person), form(municipal_court, action="issue"))
    assert Letter.objects.get().text.endswith(PART2_STATEMENT)


def test_recipients_are_the_sites_organisations_that_may_receive_legal_information(
    client, alice, rosa, site_a, bridgeway, municipal_court, city_attorney, public_defender
):
    police = OrganizationFactory(site=site_a, kind="police", name="City Police")
    OrganizationFactory(kind="court", name="Court of another site")
    sign_in(client, alice)

    page = client.get(letters_url(rosa)).text

    assert "Municipal Court (Court)" in page
    assert "City Attorney (Prosecutor)" in page
    assert "Public Defender (Public defender)" in page
    assert police.name not in page
    assert "Court of another site" not in page
    assert f'value="{bridgeway.public_id}"' not in page


@pytest.mark.parametrize("who", ["other_provider", "ruth", "paula", "dana", "bob", "charlie"])
def test_letters_are_for_the_holding_team_only(client, request, rosa, site_a, summary, who):
    from tandem.access.roles import Role
    from tests.factories import add_totp, member

    letter = LetterFactory(summary=summary)
    if who == "other_provider":
        user = member(
            Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a, kind="case_management")
        )
        add_totp(user)
    else:
        user = request.getfixturevalue(who)
    sign_in(client, user)

    responses = [
        client.get(letters_url(rosa)),
        client.get(reverse("legal:letter", args=[letter.public_id])),
    ]

    assert [r.status_code for r in responses] == [404, 404]


@pytest.mark.parametrize("count", [1, 50])
def test_the_letters_page_runs_a_bounded_number_of_queries(
    client, alice, rosa, summary, django_assert_max_num_queries, count
):
    for _ in range(count):
        LetterFactory(summary=summary)
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        response = client.get(letters_url(rosa))

    assert response.status_code == 200
    assert response.text.count('href="/legal/letters/') == count


def test_the_printable_letter_runs_a_bounded_number_of_queries(
    client, alice, summary, django_assert_max_num_queries
):
    letter = LetterFactory(summary=summary)
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("legal:letter", args=[letter.public_id]))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_letter_preview_runs_a_bounded_number_of_queries(
    client,
    alice,
    rosa,
    summary,
    court_release,
    municipal_court,
    django_assert_max_num_queries,
    count,
):
    for _ in range(count):
        LetterFactory(summary=summary)
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        response = client.post(letters_url(rosa), form(municipal_court))

    assert "Exactly what will be shared" in response.text
