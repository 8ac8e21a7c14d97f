"""Repeated wrong passwords lock the account (CJIS 5.5.3)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.http import HttpResponse

from tandem.accounts.tests.signin import MFA_URL, signed_in_user_id, submit_password
from tandem.audit.models import AuditEvent

LOCKED = "This account is locked"
WRONG_CREDENTIALS = "The username and/or password you specified are not correct."


def fail(client, times: int, username: str = "alice") -> list[HttpResponse]:
    return [submit_password(client, username, "not the right password") for _ in range(times)]


def test_repeated_wrong_passwords_lock_the_account(client, settings, alice):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    # Given Alice's password typed wrongly up to the limit
    responses = fail(client, limit)

    # Then the attempts before the limit say the password was wrong, the last one locks
    for response in responses[:-1]:
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.text
    assert responses[-1].status_code == 429
    assert LOCKED in responses[-1].text
    assert "locked for 30 minutes" in responses[-1].text
    assert signed_in_user_id(client) is None

    # And every failure and the lockout are on the audit chain
    failures = AuditEvent.objects.filter(action="auth.login_failed", actor_id=alice.pk)
    assert failures.count() == limit
    assert AuditEvent.objects.filter(action="auth.locked_out", actor_id=alice.pk).count() == 1


def test_once_locked_even_the_right_password_gets_the_lockout_page(client, settings, alice):
    # Given Alice's account locked by wrong passwords
    fail(client, settings.AXES_FAILURE_LIMIT)
    audited = AuditEvent.objects.filter(action="auth.login_failed").count()

    # When she (or whoever has her password) tries again with the right password
    response = submit_password(client, "alice")

    # Then the lockout page answers, nobody is signed in, and the attempt is recorded
    assert response.status_code == 429
    assert LOCKED in response.text
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == audited + 1


def test_every_attempt_on_a_locked_account_gets_the_lockout_page(client, settings, alice):
    fail(client, settings.AXES_FAILURE_LIMIT)

    later = [*fail(client, 5), submit_password(client, "alice")]

    assert [r.status_code for r in later] == [429] * 6
    assert all(LOCKED in r.text for r in later)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == (
        settings.AXES_FAILURE_LIMIT + 6
    )


def test_each_wrong_password_is_audited_once(client, alice):
    fail(client, 3)

    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() == 3
    assert set(failures.values_list("actor_id", "actor_label")) == {(alice.pk, "alice")}
    assert not AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_fewer_failures_than_the_limit_do_not_lock(client, settings, alice):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)

    response = submit_password(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == MFA_URL


def test_a_lockout_of_one_account_leaves_others_alone(client, settings, alice, bob):
    fail(client, settings.AXES_FAILURE_LIMIT, username="alice")

    response = submit_password(client, "bob")

    assert response.status_code == 302
    assert response["Location"] == MFA_URL


def test_the_lock_lifts_after_the_cool_off_time(client, settings, alice):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        fail(client, settings.AXES_FAILURE_LIMIT)

        clock.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        response = submit_password(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == MFA_URL


def test_the_lockout_page_tells_how_long_the_lock_lasts(client, settings, alice):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=45)

    response = fail(client, settings.AXES_FAILURE_LIMIT)[-1]

    assert "The account is locked for 45 minutes" in response.text


def test_an_attempt_on_a_locked_account_is_recorded_as_such(client, settings, alice):
    fail(client, settings.AXES_FAILURE_LIMIT)

    submit_password(client, "alice")

    last = AuditEvent.objects.filter(action="auth.login_failed").order_by("-seq").first()
    assert last is not None
    assert last.detail == {"reason": "account locked"}


def test_changing_the_case_of_the_username_does_not_get_round_the_lock(client, settings, alice):
    fail(client, settings.AXES_FAILURE_LIMIT, username="alice")

    guessed = submit_password(client, "ALICE", "not the right password")
    right = submit_password(client, "Alice")

    assert guessed.status_code == 429
    assert right.status_code == 429
    assert signed_in_user_id(client) is None
    labels = set(
        AuditEvent.objects.filter(action="auth.login_failed").values_list("actor_id", flat=True)
    )
    assert labels == {alice.pk}
