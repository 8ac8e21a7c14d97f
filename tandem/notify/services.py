"""Writes of notifications: `notify` (the one way any app tells a user something),
`mark_read`, `mark_all_read`, and `delivery_attempt`, which the delivery task calls."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_slug
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.notify.models import SUBJECT_MAX_LENGTH, Delivery, Notification
from tandem.notify.sms import send_sms
from tandem.tenancy.models import Membership, Site

if TYPE_CHECKING:
    from tandem.legal.models import DivertedChargeHold
    from tandem.people.models import Person
    from tandem.referrals.models import Referral

logger = logging.getLogger(__name__)

CHANNELS = frozenset(Delivery.Channel.values)
# A delivery is tried this many times; the waits between tries grow (used where the task
# backend can defer a task: the database queue; a backend that cannot retries at once).
MAX_ATTEMPTS = 3
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=10))
URL_MAX_LENGTH = 500


@transaction.atomic
def notify(
    *,
    site: Site,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    channels: Iterable[str] = ("inbox",),
    actor: User | None = None,
    person: Person | None = None,
    category: Category | str = "",
    referral: Referral | None = None,
    hold: DivertedChargeHold | None = None,
) -> list[Notification]:
    """Tell each of `recipients` (members of `site`) something; returns one notification per
    recipient, in order, with duplicates removed. A recipient whose membership (or account)
    is no longer active is left out: they may no longer read the site's information. A user
    who is not a member of `site` at all is refused (ValidationError): that is a bug in the
    caller, and a subject must never reach another site's people.

    The in-app notification is written now, in the caller's transaction; e-mail and SMS go
    out from a background task once that transaction commits, tried up to three times, each
    outcome recorded on its `Delivery`. Every notification is in its recipient's inbox,
    whatever `channels` says ("inbox", "email", "sms"): the inbox is the only place its body
    is shown. A recipient without an e-mail address or a phone number gets a delivery marked
    skipped on that channel.

    E-mail and SMS carry `subject` and a link to `url` only, never `body`: they are not
    secure channels for health or justice information (HIPAA transmission security, the
    first Golden Rule). So the subject must carry NO participant data: no name, initials,
    date of birth, case number, place or charge ("New referral waiting for you", not "New
    referral: J. Doe, possession"). Put the details in `body`, shown only in Tandem to the
    signed-in recipient. `url` is a path inside Tandem ("/people/<id>/"), opened from the
    inbox, where the page checks access again.

    A body that tells anything of a participant says so, and the inbox shows it only while
    the recipient may still read it (tandem.notify.selectors.notification_list): `person`
    and the `category` of what the body tells of them besides who they are (identity),
    decided by `decide()` each time the inbox is opened; or, when the body repeats what a
    referral's or a diverted-charge hold's page shows, `referral=` or `hold=` (with its
    `category`), whose scope decides as that page does. `person` defaults to the
    referral's or the hold's. Tell the body's category even when it does not name the
    person (an expense line): it is still theirs.

    `kind` is a slug naming what happened ("referral.handoff" is not a slug:
    "referral-handoff" is). Bad input raises ValidationError and writes nothing.
    """
    if isinstance(channels, str):
        # channels="sms" would otherwise mean the channels "s", "m" and "s".
        raise ValidationError({"channels": ["Name the channels in a list, such as ['sms']."]})
    people = list({user.pk: user for user in recipients}.values())
    wanted = {Delivery.Channel.INBOX.value, *channels}
    subject = subject.strip()
    errors = _check(kind=kind, subject=subject, url=url, channels=wanted)
    if person is None and referral is not None:
        person = referral.person
    if person is None and hold is not None:
        person = hold.person
    about_error = _about_error(
        site=site, person=person, category=category, referral=referral, hold=hold
    )
    if about_error:
        errors["category"] = [about_error]
    active = {
        user_id: membership_active and account_active
        for user_id, membership_active, account_active in Membership.objects.filter(
            site=site, user__in=[user.pk for user in people]
        ).values_list("user_id", "is_active", "user__is_active")
    }
    strangers = [user.get_username() for user in people if user.pk not in active]
    if strangers:
        errors.setdefault("recipients", []).append(
            f"Not a member of {site}: {', '.join(strangers)}."
        )
    if errors:
        raise ValidationError(errors)
    people = [user for user in people if active[user.pk]]
    if not people:
        return []

    notifications = [
        Notification(
            site=site,
            recipient=user,
            kind=kind,
            subject=subject,
            body=body,
            url=url,
            person=person,
            category=str(category),
            referral=referral,
            hold=hold,
        )
        for user in people
    ]
    for notification in notifications:
        notification.full_clean(
            exclude=["site", "recipient", "person", "referral", "hold"], validate_unique=False
        )
    Notification.objects.bulk_create(notifications)
    now = timezone.now()
    deliveries = [
        _delivery(notification, channel, now)
        for notification in notifications
        for channel in sorted(wanted)
    ]
    Delivery.objects.bulk_create(deliveries)
    queued = [d.public_id for d in deliveries if d.status == Delivery.Status.QUEUED]
    if queued:
        # After the commit: a rolled-back caller sends nothing, and the worker never looks
        # for a row it cannot see yet.
        transaction.on_commit(partial(_enqueue_all, queued), robust=True)
    audit_record(
        actor=actor,
        site=site,
        action="notification.sent",
        # Whom the body tells about, so that the person's record of who was told lists it.
        target=person,
        category=str(category),
        detail={
            "kind": kind,
            "channels": sorted(wanted),
            "recipients": [str(user.public_id) for user in people],
            "notifications": [str(n.public_id) for n in notifications],
            **{
                name: str(record.public_id)
                for name, record in (("referral", referral), ("hold", hold))
                if record is not None
            },
        },
    )
    return notifications


def _about_error(
    *,
    site: Site,
    person: Person | None,
    category: Category | str,
    referral: Referral | None,
    hold: DivertedChargeHold | None,
) -> str:
    if referral is not None and hold is not None:
        return "Name the referral or the hold whose page decides, not both."
    about = [record for record in (person, referral, hold) if record is not None]
    if not about:
        return "" if not category else "A category is about someone: name the person."
    if category not in Category.values:
        return f"Say which category of the person the body tells of: {', '.join(Category.values)}."
    if any(record.site_id != site.pk for record in about):
        return "The notification is about someone of another site."
    return ""


def _check(*, kind: str, subject: str, url: str, channels: set[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        validate_slug(kind)
    except ValidationError:
        errors["kind"] = ["The kind is a slug: letters, digits, hyphens and underscores."]
    if not subject:
        errors["subject"] = ["Give the notification a subject."]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [f"Keep the subject to {SUBJECT_MAX_LENGTH} characters."]
    elif any(ord(char) < 32 for char in subject):
        errors["subject"] = ["The subject is one line, without control characters."]
    unknown = channels - CHANNELS
    if unknown:
        errors["channels"] = [
            f"Unknown channel(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(CHANNELS))}."
        ]
    if url:
        url_error = _url_error(url)
        if url_error:
            errors["url"] = [url_error]
    return errors


def _url_error(url: str) -> str:
    if len(url) > URL_MAX_LENGTH:
        return f"Keep the link to {URL_MAX_LENGTH} characters."
    parts = urlsplit(url)
    if (
        parts.scheme
        or parts.netloc
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or any(ord(char) < 33 for char in url)
    ):
        return "The link is a path inside Tandem, such as /people/<id>/."
    try:
        resolve(parts.path)
    except Resolver404:
        return f"The link {parts.path} is not a Tandem page."
    return ""


def _delivery(notification: Notification, channel: str, now: datetime) -> Delivery:
    recipient = notification.recipient
    if channel == Delivery.Channel.INBOX:
        return Delivery(
            notification=notification,
            channel=channel,
            status=Delivery.Status.SENT,
            attempts=1,
            sent_at=now,
        )
    missing = _missing_address(recipient, channel)
    if missing:
        return Delivery(
            notification=notification,
            channel=channel,
            status=Delivery.Status.SKIPPED,
            last_error=missing,
        )
    return Delivery(notification=notification, channel=channel)


def _missing_address(user: User, channel: str) -> str:
    if channel == Delivery.Channel.EMAIL and not user.email.strip():
        return "skipped: no e-mail address"
    if channel == Delivery.Channel.SMS and not user.phone.strip():
        return "skipped: no phone number"
    return ""


def _enqueue_all(delivery_ids: list[uuid.UUID]) -> None:
    for delivery_id in delivery_ids:
        _enqueue(str(delivery_id))


def _enqueue(delivery_id: str, *, run_after: datetime | None = None) -> None:
    from tandem.notify.tasks import deliver  # the task module imports this one

    task = deliver
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def delivery_attempt(*, delivery_id: str) -> Delivery:
    """Try to send one queued e-mail or SMS delivery and record the outcome: sent, queued
    again for a later try, or failed after MAX_ATTEMPTS. A delivery that is no longer
    queued (sent, skipped, failed) is left alone, so running the task twice sends once."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .get(public_id=delivery_id)
        )
        if delivery.status != Delivery.Status.QUEUED:
            return delivery
        missing = _missing_address(delivery.notification.recipient, delivery.channel)
        if missing:
            delivery.status, delivery.last_error = Delivery.Status.SKIPPED, missing
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            return delivery
        delivery.attempts += 1
        delivery.save(update_fields=["attempts", "updated_at"])
    # Sent outside the transaction: no row stays locked while a mail server takes its time.
    try:
        _send(delivery)
    except Exception as error:
        logger.warning("Delivery %s failed (attempt %s)", delivery.public_id, delivery.attempts)
        delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
        retry = delivery.attempts < MAX_ATTEMPTS
        if not retry:
            delivery.status = Delivery.Status.FAILED
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        if retry:
            delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
            _enqueue(str(delivery.public_id), run_after=timezone.now() + delay)
    else:
        delivery.status, delivery.sent_at, delivery.last_error = (
            Delivery.Status.SENT,
            timezone.now(),
            "",
        )
        delivery.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
    return delivery


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    link = settings.TANDEM_BASE_URL + (notification.url or reverse("notify:inbox"))
    # Subject and link only: never notification.body (see notify()).
    if delivery.channel == Delivery.Channel.EMAIL:
        EmailMessage(
            subject=f"[Tandem] {notification.subject}",
            body=(
                f"{notification.subject}\n\n"
                f"Open Tandem to read it: {link}\n\n"
                "The details are only in Tandem: e-mail is not a safe place for them.\n"
            ),
            to=[recipient.email],
        ).send()
    elif delivery.channel == Delivery.Channel.SMS:
        send_sms(to=recipient.phone, text=f"Tandem: {notification.subject} {link}")
    else:
        raise ValueError(f"Nothing to send on the {delivery.channel} channel.")


def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark `user`'s own notification read; anyone else's answers 404."""
    if notification.recipient_id != user.pk:
        raise OutOfScope("No such notification.")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.read_at = now
    return notification


def mark_all_read(*, user: User, site: Site) -> int:
    """Mark every unread notification of `user` at `site` read; returns how many."""
    now = timezone.now()
    return Notification.objects.filter(recipient=user, site=site, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
