"""Notifications: one row per recipient in the in-app inbox, and one delivery per channel.

Only the inbox shows a notification's body. E-mail and SMS carry the subject and a link,
never the body: they are not secure channels for health or justice information (HIPAA
Security Rule, transmission security; the first Golden Rule).

A body that tells something about a participant records what it is about, and the inbox
shows it only while the recipient may still read that (tandem.notify.selectors): the person
and the category of what the body tells, decided by `decide()`; or, when the body repeats
what a referral's or a diverted-charge hold's page shows, that record, whose own scope
decides as the page does."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.access.roles import Category
from tandem.core.models import TandemModel

SUBJECT_MAX_LENGTH = 140


class Notification(TandemModel):
    """Something one user should know about at one site. `subject` may leave the machine (by
    e-mail or SMS), so it never names a participant; `body` is shown in the inbox only."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.SlugField(max_length=60)
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # What the body is about, if it tells anything of a participant. A merge moves `person`
    # to the surviving record (tandem.people.merging), like every key to a person.
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the body tells of them (besides who they are): the category decided on.
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    # The record whose page shows what the body repeats; when set, its scope decides.
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hold = models.ForeignKey(
        "legal.DivertedChargeHold",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A body about someone says what it tells of them; a category about nobody is
            # a caller's mistake that would hide nothing.
            models.CheckConstraint(
                condition=(
                    Q(category="")
                    & Q(person__isnull=True, referral__isnull=True, hold__isnull=True)
                )
                | (
                    Q(category__in=Category.values)
                    & (Q(person__isnull=False) | Q(referral__isnull=False) | Q(hold__isnull=False))
                ),
                name="notification_about_has_category",
            ),
            models.CheckConstraint(
                condition=Q(referral__isnull=True) | Q(hold__isnull=True),
                name="notification_one_record_decides",
            ),
        ]
        indexes = [
            # The inbox (newest first) and the navigation's unread count.
            models.Index(fields=["recipient", "site", "-created_at"], name="notify_inbox_idx"),
            models.Index(
                fields=["recipient", "site"],
                condition=Q(read_at__isnull=True),
                name="notify_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(TandemModel):
    """How a notification went out on one channel. `last_error` says why it was not sent:
    the last failure, or why the channel was skipped ("skipped: no phone number")."""

    class Channel(models.TextChoices):
        INBOX = "inbox", "Inbox"
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notification", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            )
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_status_display()}"
