"""Sessions end after 30 idle minutes and 12 hours after sign-in (HIPAA 164.312(a)(2)(iii),
CJIS 5.5.5)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tandem.accounts.tests.signin import LOGIN_URL, sign_in, signed_in_user_id
from tandem.audit.models import AuditEvent
from tests.factories import EnrollmentFactory, PersonFactory, add_totp

SIGNED_IN_AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
IDLE_MESSAGE = "You were signed out after 30 minutes without activity. Please sign in again."
ABSOLUTE_MESSAGE = "You were signed out 12 hours after you signed in. Please sign in again."


@pytest.fixture
def clock():
    with time_machine.travel(SIGNED_IN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_secret(alice):
    # The persona's authenticator secret is not kept; give her one whose secret is known.
    alice.authenticator_set.all().delete()
    return add_totp(alice)


@pytest.fixture
def signed_in(client, clock, alice, alice_secret, bridgeway):
    """Alice, signed in through the login form and the authenticator code at SIGNED_IN_AT."""
    EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes"),
        provider=bridgeway,
        case_manager=alice,
    )
    response = sign_in(client, "alice", alice_secret)
    assert "Rosa Parkes" in response.text
    return client


def expired_events():
    return AuditEvent.objects.filter(action="auth.session_expired")


def test_a_session_idle_for_31_minutes_must_sign_in_again(signed_in, clock, alice):
    # Given Alice signed in, then left her desk for 31 minutes
    clock.shift(dt.timedelta(minutes=31))

    # When she opens her caseload
    response = signed_in.get("/")

    # Then she is sent to sign in again, and told why
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/"
    assert signed_in_user_id(signed_in) is None
    login_page = signed_in.get(response["Location"])
    assert IDLE_MESSAGE in login_page.text
    assert "Rosa" not in login_page.text
    # And the expiry is on the audit chain
    event = expired_events().get()
    assert event.actor_id == alice.pk
    assert event.detail == {"reason": "after 30 minutes without activity"}


def test_a_session_idle_for_29_minutes_carries_on(signed_in, clock):
    clock.shift(dt.timedelta(minutes=29))

    response = signed_in.get("/")

    assert response.status_code == 200
    assert "Rosa Parkes" in response.text
    assert not expired_events().exists()


def test_activity_keeps_the_session_alive_past_the_idle_limit(signed_in, clock):
    for _ in range(4):
        clock.shift(dt.timedelta(minutes=20))
        assert signed_in.get("/").status_code == 200

    assert signed_in_user_id(signed_in) is not None
    assert not expired_events().exists()


def test_twelve_hours_after_sign_in_the_session_ends_despite_activity(signed_in, clock, alice):
    # Given Alice working all day, a request every 20 minutes for 12 hours
    for _ in range(12 * 3):
        clock.shift(dt.timedelta(minutes=20))
        response = signed_in.get("/")
        assert response.status_code == 200, clock.time()

    # When she opens a page 12 hours and 1 minute after signing in
    clock.shift(dt.timedelta(minutes=1))
    response = signed_in.get("/people/")

    # Then she must sign in again
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/people/"
    assert signed_in_user_id(signed_in) is None
    assert ABSOLUTE_MESSAGE in signed_in.get(response["Location"]).text
    event = expired_events().get()
    assert event.actor_id == alice.pk
    assert event.detail == {"reason": "12 hours after you signed in"}


def test_an_htmx_request_after_expiry_is_told_where_to_go(signed_in, clock):
    clock.shift(dt.timedelta(minutes=31))

    response = signed_in.get("/people/?q=Rosa", headers={"HX-Request": "true"})

    # A fragment request cannot follow a redirect into the page; htmx reloads instead.
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN_URL}?next=/people/"
    assert "Location" not in response
    assert response.content == b""
    assert signed_in_user_id(signed_in) is None
    assert expired_events().count() == 1


def test_signing_in_again_after_expiry_starts_a_fresh_session(
    client, signed_in, clock, alice_secret
):
    clock.shift(dt.timedelta(minutes=31))
    signed_in.get("/")

    clock.shift(dt.timedelta(minutes=1))
    response = sign_in(client, "alice", alice_secret)

    assert response.status_code == 200
    assert "Rosa Parkes" in response.text
    clock.shift(dt.timedelta(minutes=29))
    assert client.get("/").status_code == 200
