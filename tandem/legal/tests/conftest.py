"""The legal scene at site A (America/Los_Angeles): Bridgeway holds Rosa, alice is her case
manager; the City Attorney's office holds a diverted charge against her. paula is a
liaison prosecutor there, quentin one at the County Prosecutor's office, dana a public
defender, ruth the project manager."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tandem.access.roles import Role
from tandem.people.models import Person
from tandem.tenancy.models import Organization
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
)

TODAY = dt.date(2026, 6, 1)
LEGAL_GRANT = ["enrollment", "identity", "legal"]


@pytest.fixture(autouse=True)
def frozen_today():
    # Midday in the site's time zone, so the local date is TODAY everywhere.
    with time_machine.travel(dt.datetime(2026, 6, 1, 19, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def city_attorney(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="prosecutor", name="City Attorney")


@pytest.fixture
def county_prosecutor(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="prosecutor", name="County Prosecutor")


@pytest.fixture
def public_defender(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="defender", name="Public Defender")


@pytest.fixture
def municipal_court(site_a) -> Organization:
    return OrganizationFactory(site=site_a, kind="court", name="Municipal Court")


def _user(role, organization, username):
    user = member(role, organization=organization, username=username)
    add_totp(user)
    return user


@pytest.fixture
def paula(city_attorney):
    return _user(Role.PROSECUTOR, city_attorney, "paula")


@pytest.fixture
def quentin(county_prosecutor):
    return _user(Role.PROSECUTOR, county_prosecutor, "quentin")


@pytest.fixture
def dana(public_defender):
    return _user(Role.DEFENDER, public_defender, "dana")


@pytest.fixture
def ruth(site_a):
    user = member(Role.PROJECT_MANAGER, site=site_a, username="ruth")
    add_totp(user)
    return user


@pytest.fixture
def rosa(site_a, bridgeway, alice) -> Person:
    person = PersonFactory(
        site=site_a, given_name="Rosa", family_name="Quintero", date_of_birth=dt.date(1985, 2, 3)
    )
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    return person


def release(person, recorder, *organizations, categories=None, **dates):
    """A current release of `person` recorded by `recorder`, naming each organisation."""
    consent = ConsentFactory(person=person, recorded_by_organization=recorder, **dates)
    for organization in organizations:
        ConsentGrantFactory(
            consent=consent,
            organization=organization,
            categories=list(categories or LEGAL_GRANT),
        )
    return consent
