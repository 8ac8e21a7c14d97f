"""The police lookup: "In LEAD, and whom to call" under a current release naming the
officer's agency; otherwise "No record I can share", the same page byte for byte whether
the person is unknown or only not covered by a release (Golden Rule 1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.disclosures import PART2_STATEMENT
from tandem.audit.models import AuditEvent, Disclosure
from tandem.casework.models import Enrollment
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
    sign_in,
)

ROSA = {
    "reason": "social_contact",
    "given_name": "rosa",
    "family_name": "QUINTERO",
    "date_of_birth": "1985-02-03",
}
NOBODY = {**ROSA, "given_name": "Nobody", "family_name": "Known"}


@pytest.fixture
def officer(police):
    user = member(Role.POLICE_OFFICER, organization=police, username="officer")
    add_totp(user)
    return user


def covered(participant, bridgeway, organization, categories=("enrollment",)):
    consent = ConsentFactory(person=participant, recorded_by_organization=bridgeway)
    ConsentGrantFactory(consent=consent, organization=organization, categories=list(categories))
    return consent


def without_tokens(content: bytes) -> bytes:
    """The page without what differs per request by design: the CSRF token and the nonce."""
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'nonce="[^"]+"', "NONCE", text)
    return text.encode()


def test_officer_with_a_release_learns_status_and_whom_to_call(
    client, officer, participant, bridgeway, police
):
    covered(participant, bridgeway, police)
    sign_in(client, officer)

    response = client.post(reverse("consent:lookup"), ROSA)

    text = response.content.decode()
    assert response.status_code == 200
    assert "In LEAD" in text
    assert "Active · Bridgeway" in text
    assert "555-0100" in text
    # Enrollment only was granted, not identity: the page does not confirm the name.
    assert "Rosa Quintero" not in text


def test_unknown_and_not_covered_get_the_same_bytes(
    client, officer, participant, bridgeway, prosecutor_office
):
    # A release exists, but names the prosecutor, not the police.
    covered(participant, bridgeway, prosecutor_office)
    PersonFactory(site=participant.site, given_name="Other", family_name="Person")
    sign_in(client, officer)

    enrolled_not_covered = client.post(reverse("consent:lookup"), ROSA)
    unknown = client.post(reverse("consent:lookup"), NOBODY)

    assert enrolled_not_covered.status_code == unknown.status_code == 200
    assert b"No record I can share" in unknown.content
    assert without_tokens(enrolled_not_covered.content) == without_tokens(unknown.content)
    assert dict(enrolled_not_covered.headers).keys() == dict(unknown.headers).keys()


def test_expired_and_revoked_releases_answer_like_unknown(
    client, officer, participant, bridgeway, police
):
    consent = covered(participant, bridgeway, police)
    sign_in(client, officer)
    consent.grants.update(revoked_at="2026-05-01T00:00:00Z")

    revoked = client.post(reverse("consent:lookup"), ROSA)
    unknown = client.post(reverse("consent:lookup"), NOBODY)

    assert without_tokens(revoked.content) == without_tokens(unknown.content)


def test_every_lookup_is_audited_with_its_reason(client, officer, participant):
    sign_in(client, officer)

    client.post(reverse("consent:lookup"), {**NOBODY, "reason": "welfare"})

    event = AuditEvent.objects.get(action="police.lookup")
    assert event.purpose == "police_lookup"
    assert event.detail["reason"] == "welfare"
    assert event.actor_id == officer.pk


def test_an_alias_with_the_date_of_birth_finds_the_person(
    client, officer, participant, bridgeway, police
):
    from tests.factories import PersonNameFactory

    PersonNameFactory(person=participant, given_name="Rosie", family_name="Q")
    covered(participant, bridgeway, police)
    sign_in(client, officer)

    response = client.post(
        reverse("consent:lookup"), {**ROSA, "given_name": "Rosie", "family_name": "Q"}
    )

    assert b"In LEAD" in response.content


def test_police_of_another_site_learn_nothing(client, site_b, participant, bridgeway, police):
    covered(participant, bridgeway, police)
    outsider = member(Role.POLICE_OFFICER, site=site_b)
    add_totp(outsider)
    sign_in(client, outsider)

    response = client.post(reverse("consent:lookup"), ROSA)

    assert b"No record I can share" in response.content


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.PROSECUTOR, Role.PROJECT_MANAGER])
def test_only_police_have_the_lookup(client, site_a, role):
    user = member(role, site=site_a)
    add_totp(user)
    sign_in(client, user)

    assert client.get(reverse("consent:lookup")).status_code == 404
    assert client.post(reverse("consent:lookup"), ROSA).status_code == 404
    assert not AuditEvent.objects.filter(action="police.lookup").exists()


def test_lookup_runs_a_bounded_number_of_queries(
    client, officer, participant, bridgeway, police, django_assert_max_num_queries
):
    covered(participant, bridgeway, police)
    for _ in range(20):
        twin = PersonFactory(
            site=participant.site,
            given_name="Rosa",
            family_name="Quintero",
            date_of_birth=participant.date_of_birth,
        )
        covered(twin, bridgeway, police)
    sign_in(client, officer)

    with django_assert_max_num_queries(12):
        response = client.post(reverse("consent:lookup"), ROSA)

    assert b"In LEAD" in response.content


def _uncovered(state, participant, bridgeway, police, prosecutor_office, site_a):
    """Leave Rosa enrolled, but with releases in `state`, none of which covers the police."""
    if state == "none":
        return
    if state == "names_the_prosecutor_only":
        covered(participant, bridgeway, prosecutor_office)
    elif state == "expired":
        consent = covered(participant, bridgeway, police)
        consent.__class__.objects.filter(pk=consent.pk).update(
            effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 5, 31)
        )
    elif state == "not_yet_effective":
        consent = covered(participant, bridgeway, police)
        consent.__class__.objects.filter(pk=consent.pk).update(
            effective_on=dt.date(2026, 6, 2), expires_on=dt.date(2027, 6, 1)
        )
    elif state == "revoked_for_everyone":
        consent = covered(participant, bridgeway, police)
        consent.__class__.objects.filter(pk=consent.pk).update(revoked_at="2026-05-01T00:00:00Z")
    elif state == "revoked_for_the_police":
        consent = covered(participant, bridgeway, police)
        consent.grants.update(revoked_at="2026-05-01T00:00:00Z")
    elif state == "part2_programme_release_names_someone_else":
        # A Part 2 programme now holds Rosa. Bridgeway's old release still names the police,
        # and the programme's own names the prosecutor: neither opens what it holds.
        covered(participant, bridgeway, police)
        Enrollment.objects.filter(person=participant).update(status="exited")
        programme = OrganizationFactory(site=site_a, is_part2_program=True, name="Harbour")
        EnrollmentFactory(person=participant, provider=programme)
        covered(participant, programme, prosecutor_office)
    else:  # pragma: no cover
        raise AssertionError(state)


@pytest.mark.parametrize(
    "state",
    [
        "none",
        "names_the_prosecutor_only",
        "expired",
        "not_yet_effective",
        "revoked_for_everyone",
        "revoked_for_the_police",
        "part2_programme_release_names_someone_else",
    ],
)
def test_enrolled_but_not_covered_answers_exactly_like_never_enrolled(
    client, officer, participant, bridgeway, police, prosecutor_office, site_a, state
):
    _uncovered(state, participant, bridgeway, police, prosecutor_office, site_a)
    sign_in(client, officer)

    enrolled = client.post(reverse("consent:lookup"), ROSA)
    unknown = client.post(reverse("consent:lookup"), NOBODY)

    assert enrolled.status_code == unknown.status_code == 200
    assert b"No record I can share" in enrolled.content
    assert without_tokens(enrolled.content) == without_tokens(unknown.content)
    assert dict(enrolled.headers).keys() == dict(unknown.headers).keys()


def test_a_part2_programmes_release_naming_the_police_answers_with_the_notice(
    client, officer, participant, site_a, police
):
    Enrollment.objects.filter(person=participant).update(status="exited")
    programme = OrganizationFactory(site=site_a, is_part2_program=True, name="Harbour")
    EnrollmentFactory(person=participant, provider=programme)
    consent = covered(participant, programme, police)
    sign_in(client, officer)

    response = client.post(reverse("consent:lookup"), ROSA)

    text = response.content.decode()
    assert "In LEAD" in text
    assert "Active · Harbour" in text
    assert PART2_STATEMENT in text
    row = Disclosure.objects.get()
    assert (row.person_id, row.programme_id, row.consent_id) == (
        participant.pk,
        programme.pk,
        consent.pk,
    )
    assert row.categories == ["enrollment"]
    assert row.read_event.action == "police.lookup"


def test_a_lookup_of_a_participant_outside_part2_writes_no_disclosure(
    client, officer, participant, bridgeway, police
):
    covered(participant, bridgeway, police)
    sign_in(client, officer)

    response = client.post(reverse("consent:lookup"), ROSA)

    assert b"In LEAD" in response.content
    assert PART2_STATEMENT not in response.content.decode()
    assert not Disclosure.objects.exists()
