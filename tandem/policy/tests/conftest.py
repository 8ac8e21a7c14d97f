"""The policy scene: site A's administrator keeps the policy; its project manager and a PCG
member read it; everyone else, and anyone from another site, gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tandem.access.roles import Role
from tests.factories import add_totp, member

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today():
    # Late morning in the site's time zone, so the local date is TODAY everywhere.
    with time_machine.travel(dt.datetime(2026, 11, 27, 19, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def ruth(site_a):
    """Project manager at site A."""
    user = member(Role.PROJECT_MANAGER, site=site_a, username="ruth")
    add_totp(user)
    return user


@pytest.fixture
def pat(site_a):
    """PCG member at site A."""
    user = member(Role.PCG_MEMBER, site=site_a, username="pat")
    add_totp(user)
    return user


@pytest.fixture
def other_admin(site_b):
    """Site administrator at site B."""
    user = member(Role.SITE_ADMIN, site=site_b, username="other_admin")
    add_totp(user)
    return user
