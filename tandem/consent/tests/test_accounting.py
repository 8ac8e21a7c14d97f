"""The participant's accounting of disclosures (42 CFR 2.25): what the Part 2 programme's
records about them were disclosed, to whom, when, how and under which release; for the
programme's team to print, and for nobody else."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
import time_machine
from django.urls import reverse

from tandem.access.roles import Category, Role
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Shown, disclose
from tandem.audit.models import AuditEvent, Disclosure
from tandem.casework.models import Enrollment
from tandem.people.merging import person_merge
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Membership
from tests.api.conftest import bearer
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    api_token,
    member,
    sign_in,
)


@pytest.fixture
def programme(site_a):
    return OrganizationFactory(
        site=site_a, kind="case_management", name="Harbour Recovery", is_part2_program=True
    )


@pytest.fixture
def patient(participant, programme):
    Enrollment.objects.filter(person=participant).update(provider=programme)
    return participant


@pytest.fixture
def counsellor(programme):
    user = member(Role.CASE_MANAGER, organization=programme, username="counsellor")
    add_totp(user)
    return user


@pytest.fixture
def officer(police):
    user = member(Role.POLICE_OFFICER, organization=police, username="officer")
    add_totp(user)
    return user


def release(person, recorder, recipient, categories=("enrollment", "identity")):
    consent = ConsentFactory(person=person, recorded_by_organization=recorder)
    ConsentGrantFactory(consent=consent, organization=recipient, categories=list(categories))
    return consent


def viewed_by(client, user, person, times=1):
    sign_in(client, user)
    for _ in range(times):
        assert client.get(reverse("people:detail", args=[person.public_id])).status_code == 200


def test_the_programme_prints_who_received_what_under_which_release(
    client, patient, programme, police, officer, counsellor
):
    release(patient, programme, police)
    viewed_by(client, officer, patient, times=3)
    _, secret = api_token(police, Role.POLICE_OFFICER, name="Records")
    client.get(f"/api/v1/people/{patient.public_id}", headers=bearer(secret))
    sign_in(client, counsellor)

    response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Accounting of disclosures" in text
    assert "Rosa Quintero" in text
    assert "Harbour Recovery" in text
    assert "City Police" in text
    assert "(officer)" in text
    assert "(token:Records)" in text
    assert "(3 times)" in text
    assert "Enrollment, Identity" in text
    assert "Police lookup" in text
    assert "Screen" in text
    assert "API" in text
    event = AuditEvent.objects.get(action="disclosure.accounting_viewed")
    assert event.actor_id == counsellor.pk
    assert event.target_id == str(patient.public_id)
    assert event.detail["rows"] == 2


def test_the_period_is_three_years_unless_the_participant_asks_for_less(
    client, patient, programme, police, officer, counsellor
):
    with time_machine.travel("2026-03-01T19:00:00Z", tick=False):
        release(patient, programme, police)
        viewed_by(client, officer, patient)
    viewed_by(client, officer, patient)
    sign_in(client, counsellor)
    url = reverse("consent:disclosures", args=[patient.public_id])

    everything = client.get(url).content.decode()
    recent = client.get(url, {"since": "2026-05-01"}).content.decode()

    assert "1 June 2023" in everything
    assert "(2 times)" in everything
    assert "(2 times)" not in recent
    assert "1 Jun 2026" in recent
    assert "1 Mar 2026" not in recent


def test_disclosures_of_a_record_merged_into_the_participants_are_included(
    client, site_a, patient, programme, police, officer, counsellor
):
    twin = PersonFactory(site=site_a)
    EnrollmentFactory(person=twin, provider=programme, status=Enrollment.Status.INACTIVE)
    release(twin, programme, police)
    viewed_by(client, officer, twin)
    Enrollment.objects.filter(person=twin).update(status=Enrollment.Status.EXITED)
    person_merge(actor=None, survivor=patient, merged=twin, reason="Same person")
    sign_in(client, counsellor)

    response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    assert "City Police" in response.content.decode()
    # The ledger row stays with the record it was made from.
    assert Disclosure.objects.get().person_id == twin.pk


def test_another_programmes_disclosures_are_not_listed(
    client, site_a, patient, programme, police, officer, counsellor
):
    release(patient, programme, police)
    viewed_by(client, officer, patient)
    # Rosa moves to another Part 2 programme, which discloses too.
    Enrollment.objects.filter(person=patient).update(status=Enrollment.Status.EXITED)
    other = OrganizationFactory(site=site_a, name="Other Recovery", is_part2_program=True)
    EnrollmentFactory(person=patient, provider=other)
    release(patient, other, police)
    viewed_by(client, officer, patient)
    sign_in(client, counsellor)

    # Harbour no longer holds Rosa, but may still account for what it disclosed.
    response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    assert response.status_code == 200
    assert "(2 times)" not in response.content.decode()
    assert Disclosure.objects.count() == 2


@pytest.mark.parametrize("role", [Role.PROJECT_MANAGER, Role.POLICE_OFFICER, Role.CASE_MANAGER])
def test_nobody_outside_the_holding_team_opens_it(
    client, site_a, patient, programme, police, officer, role
):
    release(patient, programme, police)
    viewed_by(client, officer, patient)
    organization = OrganizationFactory(site=site_a) if role == Role.CASE_MANAGER else None
    user = member(role, site=site_a, organization=organization)
    add_totp(user)
    sign_in(client, user)

    response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    assert response.status_code == 404
    assert "City Police" not in response.content.decode()


def test_a_team_of_another_site_gets_404(client, patient, charlie):
    sign_in(client, charlie)

    response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    assert response.status_code == 404


@pytest.mark.parametrize("recipients", [1, 50])
def test_the_accounting_runs_a_bounded_number_of_queries(
    client,
    site_a,
    patient,
    programme,
    police,
    counsellor,
    recipients,
    django_assert_max_num_queries,
):
    release(patient, programme, police)
    for n in range(recipients):
        user = member(Role.POLICE_OFFICER, organization=police, username=f"officer{n}")
        viewer = Viewer.from_membership(Membership.objects.get(user=user))
        person = people_in_scope(site_a.pk, viewer=viewer).get(pk=patient.pk)
        disclose(
            viewer=viewer,
            shown=[Shown(cast(Any, person), frozenset({Category.ENROLLMENT}))],
            channel="screen",
            purpose="police_lookup",
            action="person.viewed",
        )
    sign_in(client, counsellor)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("consent:disclosures", args=[patient.public_id]))

    assert response.content.decode().count("City Police") == recipients


def test_the_dates_of_the_accounting_default(db):
    from tandem.consent.accounting import default_since

    assert default_since(dt.date(2026, 6, 1)) == dt.date(2023, 6, 1)
    assert default_since(dt.date(2028, 2, 29)) == dt.date(2025, 2, 28)
