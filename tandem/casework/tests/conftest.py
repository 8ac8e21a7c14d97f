"""The casework scene at site A (America/Los_Angeles), on a frozen day: Bridgeway holds
Rosa, alice is her case manager, dana supervises Bridgeway and marcus does its outreach.
Northside Recovery is a 42 CFR Part 2 programme (priya works there); ruth is the project
manager; paula a liaison prosecutor; bob (root conftest) a police officer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.casework.models import Enrollment
from tandem.casework.services import ContactInput, contact_log
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
# Midday at the site.
NOW = dt.datetime(2026, 6, 1, 19, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _user(role, organization, username):
    user = member(role, organization=organization, username=username)
    add_totp(user)
    return user


def viewer_of(user) -> Viewer:
    return Viewer.from_membership(user.memberships.select_related("organization", "user").get())


@pytest.fixture
def rosa(bridgeway, alice) -> Enrollment:
    """Rosa's open enrollment with Bridgeway, alice her case manager."""
    person = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Quintero")
    return EnrollmentFactory(
        person=person, provider=bridgeway, case_manager=alice, enrolled_on=dt.date(2026, 1, 5)
    )


@pytest.fixture
def dana(bridgeway):
    return _user(Role.CM_SUPERVISOR, bridgeway, "dana")


@pytest.fixture
def marcus(bridgeway):
    return _user(Role.OUTREACH_WORKER, bridgeway, "marcus")


@pytest.fixture
def ruth(site_a):
    office = OrganizationFactory(site=site_a, kind="project_office", name="Project Office")
    return _user(Role.PROJECT_MANAGER, office, "ruth")


@pytest.fixture
def northside(site_a):
    return OrganizationFactory(
        site=site_a, kind="case_management", name="Northside Recovery", is_part2_program=True
    )


@pytest.fixture
def priya(northside):
    return _user(Role.CASE_MANAGER, northside, "priya")


@pytest.fixture
def prosecutors(site_a):
    return OrganizationFactory(site=site_a, kind="prosecutor", name="City Attorney")


@pytest.fixture
def paula(prosecutors):
    return _user(Role.PROSECUTOR, prosecutors, "paula")


def release(person, recorder, recipient, categories):
    """A current release of information that `recorder` wrote, naming `recipient`."""
    consent = ConsentFactory(
        person=person,
        recorded_by_organization=recorder,
        effective_on=TODAY - dt.timedelta(days=30),
        expires_on=TODAY + dt.timedelta(days=300),
    )
    ConsentGrantFactory(consent=consent, organization=recipient, categories=categories)
    return consent


def contact(enrollment, user, **overrides):
    """Log a contact through the service, as `user` of the enrollment's provider."""
    data = {
        "at": NOW - dt.timedelta(hours=1),
        "kind": "substantive",
        "mode": "street",
        "minutes": 15,
        **overrides,
    }
    return contact_log(
        actor=user, viewer=viewer_of(user), enrollment=enrollment, data=ContactInput(**data)
    )
