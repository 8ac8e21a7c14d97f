"""Where a request came from is recorded with each event it causes."""

from __future__ import annotations

import pytest

from tandem.audit.models import AuditEvent
from tandem.audit.verification import audit_chain_verify

LOGIN_URL = "/accounts/login/"


def attempt(client, **headers):
    return client.post(
        LOGIN_URL, {"login": "alice", "password": "not her password at all"}, **headers
    )


def recorded_origin() -> tuple[str | None, str]:
    event = AuditEvent.objects.get(action="auth.login_failed")
    return event.ip, event.user_agent


def test_it_records_the_clients_address_and_browser(client, alice):
    attempt(client, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Mozilla/5.0 (Test)")

    assert recorded_origin() == ("198.51.100.7", "Mozilla/5.0 (Test)")


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(client, alice):
    attempt(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.66")

    assert recorded_origin()[0] == "198.51.100.7"


def test_behind_one_proxy_it_records_the_address_the_proxy_saw(client, settings, alice):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    # The client wrote the first address itself; the proxy appended the real one.
    attempt(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.20")

    assert recorded_origin()[0] == "198.51.100.20"


@pytest.mark.parametrize(
    "forwarded", ["not-an-address", "198.51.100.20:51234", "<script>", "999.1.1.1"]
)
def test_a_malformed_forwarded_address_is_not_recorded_and_breaks_nothing(
    client, settings, alice, forwarded
):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    response = attempt(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert "not correct" in response.text
    assert recorded_origin()[0] == "10.0.0.2"


def test_a_long_user_agent_is_cut_to_fit(client, alice):
    attempt(client, HTTP_USER_AGENT="x" * 1000)

    assert recorded_origin()[1] == "x" * 400


def test_an_address_is_recorded_in_its_canonical_form_and_the_chain_still_verifies(
    client, settings, alice
):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    attempt(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:0DB8:0000:0000::0001")

    # The database may store an address in its own spelling; the hash must match it.
    assert recorded_origin()[0] == "2001:db8::1"
    assert audit_chain_verify().ok
