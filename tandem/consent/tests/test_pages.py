"""The consent pages by role: the holding team records and revokes, the project manager
reads, everyone else (and anyone from another site) gets 404. Every read is audited."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.consent.models import Consent
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    OrganizationFactory,
    add_totp,
    member,
    sign_in,
    signature_png,
)

DRAWN = "data:image/png;base64," + base64.b64encode(signature_png()).decode()


@pytest.fixture
def consent(participant, bridgeway, police):
    consent = ConsentFactory(person=participant, recorded_by_organization=bridgeway)
    ConsentGrantFactory(consent=consent, organization=police, categories=["enrollment"])
    return consent


def form_data(police, prosecutor_office, **overrides):
    data = {
        f"org_{police.public_id.hex}": "on",
        f"cat_{police.public_id.hex}": ["enrollment"],
        f"org_{prosecutor_office.public_id.hex}": "on",
        f"cat_{prosecutor_office.public_id.hex}": ["enrollment", "identity", "legal"],
        "purpose": "care_coordination",
        "purpose_text": "Coordinate with the officer and the prosecutor.",
        "effective_on": "2026-06-01",
        "expires_on": "2027-06-01",
        "signed_name": "Rosa Quintero",
        "signature_drawn": DRAWN,
        "witness_name": "",
    }
    return {**data, **overrides}


def test_case_manager_records_a_release_and_opens_the_printable_copy(
    client, alice, participant, police, prosecutor_office
):
    sign_in(client, alice)

    response = client.post(
        reverse("consent:create", args=[participant.public_id]),
        form_data(police, prosecutor_office),
    )

    consent = Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consent:detail", args=[consent.public_id])
    assert {g.organization.name: g.categories for g in consent.grants.all()} == {
        "City Police": ["enrollment"],
        "City Attorney": ["enrollment", "identity", "legal"],
    }
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "You can take back (revoke) this agreement at any time" in text
    assert "City Police" in text
    assert reverse("consent:signature", args=[consent.public_id]) in text
    assert AuditEvent.objects.filter(action="consent.viewed").count() == 1


def test_the_form_ticks_sensible_defaults_and_the_site_term(client, alice, participant, police):
    sign_in(client, alice)

    response = client.get(reverse("consent:create", args=[participant.public_id]))

    form = response.context["form"]
    assert form[f"cat_{police.public_id.hex}"].initial == ["enrollment"]
    assert form["expires_on"].initial == dt.date(2027, 6, 1)
    assert b"signature.js" in response.content
    assert b"42 CFR Part 2 consent" not in response.content


def test_a_part2_programme_sees_the_2_31_elements(client, site_a, participant, police):
    programme = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    participant.enrollments.update(provider=programme)
    counsellor = member(Role.CASE_MANAGER, organization=programme)
    add_totp(counsellor)
    sign_in(client, counsellor)

    response = client.get(reverse("consent:create", args=[participant.public_id]))

    assert b"42 CFR Part 2 consent" in response.content
    assert b"treatment does not depend on signing" in response.content


def test_an_invalid_form_says_why_and_records_nothing(
    client, alice, participant, police, prosecutor_office
):
    sign_in(client, alice)

    response = client.post(
        reverse("consent:create", args=[participant.public_id]),
        form_data(police, prosecutor_office, signature_drawn=""),
    )

    assert response.status_code == 200
    assert b"Add one signature" in response.content
    assert not Consent.objects.exists()


def test_list_shows_each_release_with_its_status(client, alice, participant, consent, bridgeway):
    expired = ConsentFactory(
        person=participant,
        recorded_by_organization=bridgeway,
        effective_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2025, 12, 31),
    )
    sign_in(client, alice)

    response = client.get(reverse("consent:list", args=[participant.public_id]))

    statuses = {c.public_id: c.status for c in response.context["page"].consents}
    assert statuses == {consent.public_id: "current", expired.public_id: "expired"}
    assert AuditEvent.objects.filter(action="consent.listed").count() == 1


def test_project_manager_reads_but_cannot_record_or_revoke(client, ruth, participant, consent):
    sign_in(client, ruth)

    assert client.get(reverse("consent:list", args=[participant.public_id])).status_code == 200
    assert client.get(reverse("consent:detail", args=[consent.public_id])).status_code == 200
    assert client.get(reverse("consent:create", args=[participant.public_id])).status_code == 404
    response = client.post(reverse("consent:revoke", args=[consent.public_id]), {"reason": "x"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFICER, Role.PROSECUTOR, Role.DEFENDER, Role.EVALUATOR, Role.SITE_ADMIN]
)
def test_partners_never_see_a_release_even_one_naming_them(
    client, site_a, participant, consent, police, role
):
    organization = police if role is Role.POLICE_OFFICER else None
    user = member(role, site=site_a, organization=organization)
    add_totp(user)
    sign_in(client, user)

    for url in (
        reverse("consent:list", args=[participant.public_id]),
        reverse("consent:detail", args=[consent.public_id]),
        reverse("consent:signature", args=[consent.public_id]),
        reverse("consent:create", args=[participant.public_id]),
    ):
        assert client.get(url).status_code == 404


def test_another_providers_case_manager_gets_404(client, site_a, participant, consent):
    other = member(Role.CASE_MANAGER, organization=OrganizationFactory(site=site_a))
    add_totp(other)
    sign_in(client, other)

    assert client.get(reverse("consent:list", args=[participant.public_id])).status_code == 404
    assert client.get(reverse("consent:detail", args=[consent.public_id])).status_code == 404


def test_case_manager_of_another_site_gets_404(client, charlie, participant, consent):
    sign_in(client, charlie)

    assert client.get(reverse("consent:list", args=[participant.public_id])).status_code == 404
    assert client.get(reverse("consent:detail", args=[consent.public_id])).status_code == 404
    assert client.get(reverse("consent:signature", args=[consent.public_id])).status_code == 404
    response = client.post(reverse("consent:revoke", args=[consent.public_id]), {"reason": "x"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_signature_is_served_only_through_the_checked_view(client, alice, consent):
    sign_in(client, alice)

    response = client.get(reverse("consent:signature", args=[consent.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="consent.signature_viewed").count() == 1


def test_revoking_one_organisation_from_the_copy(client, alice, consent, police):
    sign_in(client, alice)

    response = client.post(
        reverse("consent:revoke", args=[consent.public_id]),
        {"reason": "Asked to stop", "organization": str(police.public_id)},
    )

    assert response.status_code == 302
    grant = consent.grants.get()
    assert grant.revoked_at is not None
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_revoking_all_from_the_copy(client, alice, consent):
    sign_in(client, alice)

    client.post(reverse("consent:revoke", args=[consent.public_id]), {"reason": "Withdrew"})

    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revocation_reason == "Withdrew"


@pytest.mark.parametrize("count", [1, 20])
def test_list_page_runs_a_bounded_number_of_queries(
    client,
    alice,
    participant,
    bridgeway,
    police,
    prosecutor_office,
    count,
    django_assert_max_num_queries,
):
    for _ in range(count):
        consent = ConsentFactory(person=participant, recorded_by_organization=bridgeway)
        ConsentGrantFactory(consent=consent, organization=police, categories=["enrollment"])
        ConsentGrantFactory(consent=consent, organization=prosecutor_office, categories=["legal"])
    sign_in(client, alice)
    url = reverse("consent:list", args=[participant.public_id])

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert len(response.context["page"].consents) == count


@pytest.mark.parametrize("count", [1, 20])
def test_copy_and_form_run_a_bounded_number_of_queries(
    client, alice, participant, bridgeway, count, django_assert_max_num_queries
):
    consent = ConsentFactory(person=participant, recorded_by_organization=bridgeway)
    for _ in range(count):
        ConsentGrantFactory(consent=consent, categories=["enrollment"])
    sign_in(client, alice)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("consent:detail", args=[consent.public_id])).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("consent:create", args=[participant.public_id]))
    assert len(response.context["form"].recipients) >= count
