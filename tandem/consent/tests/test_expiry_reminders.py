"""The team is reminded 30 days before a release ends, once, unless it was revoked or
renewed; expiry itself needs no job."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tandem.access.roles import Role
from tandem.casework.models import Enrollment
from tandem.consent.tasks import REMINDER_DAYS, consent_expiry_reminders
from tandem.notify.models import Notification
from tests.factories import ConsentFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alma(bridgeway, participant):
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="alma")
    Enrollment.objects.filter(person=participant).update(case_manager=user)
    return user


def release(participant, bridgeway, *, ends_in: int, **kwargs):
    today = timezone.localdate()
    return ConsentFactory(
        person=participant,
        recorded_by_organization=bridgeway,
        effective_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=ends_in),
        **kwargs,
    )


def run() -> int:
    return consent_expiry_reminders(timezone.now())


def test_the_assigned_case_manager_is_reminded_thirty_days_before_once(
    participant, bridgeway, alma
):
    consent = release(participant, bridgeway, ends_in=REMINDER_DAYS + 1)
    assert run() == 0

    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert run() == 1
        assert run() == 0

    reminder = Notification.objects.get(kind="consent-expiring")
    assert reminder.recipient == alma
    # What may leave the machine names nobody.
    assert "Rosa" not in reminder.subject
    assert "Rosa Quintero" in reminder.body
    consent.refresh_from_db()
    assert consent.expiry_reminded_at is not None


def test_without_an_assigned_case_manager_the_providers_team_is_reminded(participant, bridgeway):
    team = [member(Role.CASE_MANAGER, organization=bridgeway) for _ in range(2)]
    release(participant, bridgeway, ends_in=10)

    assert run() == 1
    assert set(Notification.objects.values_list("recipient", flat=True)) == {u.pk for u in team}


def test_revoked_expired_and_renewed_releases_are_not_reminded(participant, bridgeway, alma):
    release(participant, bridgeway, ends_in=5, revoked_at=timezone.now())
    release(participant, bridgeway, ends_in=-1)
    old = release(participant, bridgeway, ends_in=12)
    release(participant, bridgeway, ends_in=400)

    assert run() == 0
    old.refresh_from_db()
    assert old.expiry_reminded_at is None
    assert not Notification.objects.exists()


def test_the_last_day_of_a_release_still_gets_its_reminder(participant, bridgeway, alma):
    release(participant, bridgeway, ends_in=0)
    assert run() == 1
