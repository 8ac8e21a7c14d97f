"""notify(): the inbox row at once, e-mail and SMS after the commit, subject and link only."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tandem.access.errors import OutOfScope
from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.notify.models import Delivery, Notification
from tandem.notify.services import mark_all_read, mark_read, notify
from tests.factories import SiteFactory, member

# Stands for what a body may hold and what must never leave the machine.
SECRET = "Rosa Quintero, DOB 1984-02-11, MOUD at Harbor Clinic"


def send(site, recipients, **kwargs):
    defaults = {
        "kind": "referral-handoff",
        "subject": "A referral is waiting for you",
        "body": SECRET,
        "url": reverse("core:home"),
    }
    return notify(site=site, recipients=recipients, **{**defaults, **kwargs})


def test_it_writes_the_inbox_row_now_and_sends_nothing_before_the_commit(alice, site_a):
    notifications = send(site_a, [alice], channels=["inbox", "email", "sms"], actor=alice)

    assert len(notifications) == 1
    row = Notification.objects.get(recipient=alice)
    assert (row.site, row.subject, row.body, row.read_at) == (
        site_a,
        "A referral is waiting for you",
        SECRET,
        None,
    )
    statuses = dict(Delivery.objects.filter(notification=row).values_list("channel", "status"))
    assert statuses == {"inbox": "sent", "email": "queued", "sms": "queued"}
    assert mail.outbox == []


def test_email_and_sms_carry_the_subject_and_the_link_never_the_body(
    alice, site_a, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [alice], channels=["email", "sms"], url="/people/")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@bridgeway.example"]
    assert message.subject == "[Tandem] A referral is waiting for you"
    assert "http://127.0.0.1:8000/people/" in message.body
    assert len(sms_outbox) == 1
    assert sms_outbox[0].to == "+1 555 0101"
    assert (
        sms_outbox[0].text == "Tandem: A referral is waiting for you http://127.0.0.1:8000/people/"
    )
    # The whole message as it would leave: headers, every part, every SMS.
    everything_sent = [message.message().as_string(), *(sms.text for sms in sms_outbox)]
    for part in ("Rosa", "Quintero", "1984", "MOUD", "Harbor"):
        assert not any(part in text for text in everything_sent)
    deliveries = Delivery.objects.filter(notification__recipient=alice).exclude(channel="inbox")
    assert {(d.channel, d.status, d.attempts) for d in deliveries} == {
        ("email", "sent", 1),
        ("sms", "sent", 1),
    }
    assert all(d.sent_at is not None for d in deliveries)


def test_without_a_link_the_message_points_to_the_inbox(
    alice, site_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [alice], channels=["email"], url="")

    assert "http://127.0.0.1:8000/inbox/" in mail.outbox[0].body


def test_every_notification_is_in_the_inbox_whatever_the_channels(
    alice, site_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(site_a, [alice], channels=["sms"])

    channels = set(notification.deliveries.values_list("channel", flat=True))
    assert channels == {"inbox", "sms"}


def test_a_rolled_back_caller_leaves_no_row_and_sends_nothing(
    alice, site_a, sms_outbox, django_capture_on_commit_callbacks
):
    @transaction.atomic
    def caller_that_fails_after_notifying():
        send(site_a, [alice], channels=["email", "sms"])
        raise RuntimeError("the caller failed after notifying")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        caller_that_fails_after_notifying()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert sms_outbox == []


def test_a_recipient_without_phone_or_email_is_skipped_on_those_channels(
    carol, site_a, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [carol], channels=["email", "sms"])

    deliveries = {d.channel: d for d in Delivery.objects.filter(notification__recipient=carol)}
    assert deliveries["sms"].status == "skipped"
    assert deliveries["sms"].last_error == "skipped: no phone number"
    assert deliveries["email"].status == "skipped"
    assert deliveries["email"].last_error == "skipped: no e-mail address"
    assert deliveries["sms"].attempts == deliveries["email"].attempts == 0
    assert deliveries["inbox"].status == "sent"
    assert mail.outbox == []
    assert sms_outbox == []


def test_each_recipient_gets_their_own_notification_once(
    alice, carol, site_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications = send(site_a, [alice, carol, alice], channels=["email"])

    assert [n.recipient for n in notifications] == [alice, carol]
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1  # carol has no address


def test_it_records_who_notified_whom_in_the_audit_chain(alice, carol, site_a):
    notifications = send(site_a, [carol], channels=["sms"], actor=alice)

    event = AuditEvent.objects.get(action="notification.sent")
    assert event.actor_id == alice.pk
    assert event.site_id == site_a.pk
    assert event.detail["kind"] == "referral-handoff"
    assert event.detail["channels"] == ["inbox", "sms"]
    assert event.detail["recipients"] == [str(carol.public_id)]
    assert event.detail["notifications"] == [str(notifications[0].public_id)]
    assert SECRET not in str(event.detail)


def test_a_failing_sms_is_retried_and_each_attempt_recorded(
    alice, site_a, flaky_sms, sms_outbox, django_capture_on_commit_callbacks
):
    flaky_sms.failures = 2

    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [alice], channels=["sms"])

    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(sms_outbox) == 1


def test_an_sms_that_keeps_failing_is_marked_failed_after_three_attempts(
    alice, site_a, flaky_sms, sms_outbox, django_capture_on_commit_callbacks
):
    flaky_sms.failures = 99

    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [alice], channels=["sms"])

    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error == "ConnectionError: gateway unreachable (try 3)"
    assert delivery.sent_at is None
    assert flaky_sms.calls == 3
    assert sms_outbox == []


@pytest.fixture
def database_queue(settings, transactional_db):
    """The real queue of `tandem worker` (django-tasks-db) instead of the tests' immediate
    backend, with real commits (db_worker closes a connection it finds inside a transaction);
    db_worker's signal handlers are put back afterwards."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def run_queue():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def test_on_the_database_queue_a_retry_waits_before_the_next_attempt(
    alice, site_a, flaky_sms, sms_outbox, database_queue, django_capture_on_commit_callbacks
):
    flaky_sms.failures = 1
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            send(site_a, [alice], channels=["sms"])
        assert DBTaskResult.objects.count() == 1
        assert Delivery.objects.get(channel="sms").status == "queued"

        run_queue()

        delivery = Delivery.objects.get(channel="sms")
        assert (delivery.status, delivery.attempts) == ("queued", 1)
        assert delivery.last_error == "ConnectionError: gateway unreachable (try 1)"
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.run_after == start + dt.timedelta(minutes=1)

        run_queue()  # not due yet
        assert Delivery.objects.get(channel="sms").attempts == 1

        clock.shift(dt.timedelta(minutes=1))
        run_queue()

    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert [message.to for message in sms_outbox] == ["+1 555 0101"]


def test_running_a_delivery_twice_sends_it_once(
    alice, site_a, sms_outbox, database_queue, django_capture_on_commit_callbacks
):
    from tandem.notify.tasks import deliver

    with django_capture_on_commit_callbacks(execute=True):
        send(site_a, [alice], channels=["sms"])
    delivery = Delivery.objects.get(channel="sms")
    deliver.enqueue(str(delivery.public_id))

    run_queue()

    assert len(sms_outbox) == 1
    assert Delivery.objects.get(channel="sms").attempts == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject": ""}, "subject", "Give the notification a subject."),
        ({"subject": "x" * 141}, "subject", "Keep the subject to 140 characters."),
        ({"subject": "Line one\nBcc: x@y"}, "subject", "The subject is one line"),
        ({"kind": "referral handoff"}, "kind", "The kind is a slug"),
        ({"url": "https://evil.example/"}, "url", "The link is a path inside Tandem"),
        ({"url": "//evil.example/"}, "url", "The link is a path inside Tandem"),
        ({"url": "people/"}, "url", "The link is a path inside Tandem"),
        ({"url": "/no-such-page/"}, "url", "is not a Tandem page"),
        ({"channels": ["pager"]}, "channels", "Unknown channel(s) pager"),
        ({"channels": "sms"}, "channels", "Name the channels in a list"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    alice, site_a, overrides, field, message
):
    with pytest.raises(ValidationError) as error:
        send(site_a, [alice], **overrides)

    assert message in " ".join(error.value.message_dict[field])
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="notification.sent").exists()


def test_a_member_of_another_site_cannot_be_notified(alice, charlie, site_a):
    with pytest.raises(ValidationError) as error:
        send(site_a, [alice, charlie])

    assert "Not a member of Site A: charlie" in error.value.message_dict["recipients"][0]
    assert not Notification.objects.exists()


def test_a_deactivated_member_is_left_out(alice, carol, site_a, django_capture_on_commit_callbacks):
    carol.memberships.update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        notifications = send(site_a, [carol, alice], channels=["email"])

    assert [n.recipient for n in notifications] == [alice]
    assert not Notification.objects.filter(recipient=carol).exists()


def test_a_deactivated_account_is_left_out(alice, site_a, django_capture_on_commit_callbacks):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        assert send(site_a, [alice], channels=["email"]) == []

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_mark_read_marks_only_the_recipients_own_notification(alice, carol, site_a):
    (notification,) = send(site_a, [alice])

    with pytest.raises(OutOfScope):
        mark_read(user=carol, notification=notification)
    assert Notification.objects.get().read_at is None

    mark_read(user=alice, notification=notification)
    first = Notification.objects.get().read_at
    assert first is not None
    mark_read(user=alice, notification=notification)
    assert Notification.objects.get().read_at == first


def test_mark_all_read_touches_only_the_users_notifications_at_that_site(alice, carol, site_a):
    elsewhere = SiteFactory()
    member(Role.CASE_MANAGER, site=elsewhere)  # another site alice is not part of
    alice_b = elsewhere.memberships.first().organization
    alice.memberships.create(site=elsewhere, organization=alice_b, role=Role.CASE_MANAGER)
    send(site_a, [alice, carol])
    send(site_a, [alice])
    send(elsewhere, [alice])

    assert mark_all_read(user=alice, site=site_a) == 2

    unread = Notification.objects.filter(read_at__isnull=True)
    assert {(n.recipient, n.site) for n in unread} == {(carol, site_a), (alice, elsewhere)}
