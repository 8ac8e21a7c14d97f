"""The notification scene: alice (case manager at site A) has an e-mail address and a phone;
carol, a second case manager at Bridgeway, has neither."""

from __future__ import annotations

import pytest

from tandem.access.roles import Role
from tests.factories import add_totp, member


@pytest.fixture
def alice(alice):
    alice.email = "alice@bridgeway.example"
    alice.phone = "+1 555 0101"
    alice.save(update_fields=["email", "phone"])
    return alice


@pytest.fixture
def carol(bridgeway):
    user = member(Role.CASE_MANAGER, organization=bridgeway, username="carol")
    add_totp(user)
    return user


class FlakySmsBackend:
    """An SMS gateway that fails the first `failures` sends (set by the test)."""

    failures = 0
    calls = 0

    def send(self, message):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionError(f"gateway unreachable (try {type(self).calls})")
        from tandem.notify import sms

        sms.outbox.append(message)


@pytest.fixture
def flaky_sms(settings):
    settings.TANDEM_SMS_BACKEND = "tandem.notify.tests.conftest.FlakySmsBackend"
    FlakySmsBackend.failures = 0
    FlakySmsBackend.calls = 0
    return FlakySmsBackend
