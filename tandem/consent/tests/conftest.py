"""The consent scene: site A's provider Bridgeway holds a participant; police, prosecutor
and defender agencies and a Part 2 programme work beside it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tandem.access.roles import Role
from tandem.people.models import Person
from tandem.tenancy.models import Organization
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
)

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    # Midday in the site's time zone, so the local date is TODAY everywhere.
    with time_machine.travel(dt.datetime(2026, 6, 1, 19, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def police(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="police", name="City Police")


@pytest.fixture
def prosecutor_office(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="prosecutor", name="City Attorney")


@pytest.fixture
def defender_office(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="defender", name="Public Defender")


@pytest.fixture
def participant(site_a, bridgeway) -> Person:
    person = PersonFactory(
        site=site_a, given_name="Rosa", family_name="Quintero", date_of_birth=dt.date(1985, 2, 3)
    )
    EnrollmentFactory(person=person, provider=bridgeway)
    return person


@pytest.fixture
def ruth(site_a):
    """Project manager at site A."""
    user = member(Role.PROJECT_MANAGER, site=site_a, username="ruth")
    add_totp(user)
    return user
