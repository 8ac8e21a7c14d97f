"""Personas shared by every suite (after healthchecks' Alice, Bob and Charlie):

- alice: case manager at Bridgeway, site A; holds the caseload.
- bob: police officer at site A.
- charlie: case manager at site B; everything of site A answers him 404.
- admin: site administrator at site A.

All of them have an authenticator app, so MFA does not get in the way unless a test wants it.
"""

from __future__ import annotations

import pytest

from tandem.access.roles import Role
from tandem.tenancy.models import Organization, Site
from tests.factories import OrganizationFactory, SiteFactory, add_totp, member, sign_in


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files (photos, signatures) of a test go to its own folder, never var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_policy_rules():
    """Each test reads its sites' policy anew: a rolled-back test may leave a site id to
    the next one (SQLite reuses row ids) with other rules."""
    from tandem.policy.selectors import forget_site_rules

    forget_site_rules()


@pytest.fixture(autouse=True)
def sms_outbox():
    """The in-memory SMS outbox (tandem.notify.sms.LocmemSmsBackend), empty for each test."""
    from tandem.notify import sms

    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def site_a(db) -> Site:
    return SiteFactory(name="Site A", slug="site-a")


@pytest.fixture
def site_b(db) -> Site:
    return SiteFactory(name="Site B", slug="site-b")


@pytest.fixture
def bridgeway(site_a) -> Organization:
    return OrganizationFactory(site=site_a, name="Bridgeway", kind="case_management")


@pytest.fixture
def alice(bridgeway):
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="alice")
    add_totp(user)
    return user


@pytest.fixture
def bob(site_a):
    user = member(Role.POLICE_OFFICER, site=site_a, username="bob")
    add_totp(user)
    return user


@pytest.fixture
def charlie(site_b):
    user = member(Role.CASE_MANAGER, site=site_b, username="charlie")
    add_totp(user)
    return user


@pytest.fixture
def admin(site_a):
    user = member(Role.SITE_ADMIN, site=site_a, username="admin")
    add_totp(user)
    return user


@pytest.fixture
def login(client):
    """Sign a user in for the Django test client, as if they had passed MFA."""

    def _login(user):
        return sign_in(client, user)

    return _login
