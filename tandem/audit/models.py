from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing that happened, append-only. Each row's hash covers its own fields and the
    previous row's hash, so editing or deleting any row breaks the chain from there on
    (`tandem audit_verify` finds where)."""

    seq = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200, blank=True)
    api_token_id = models.BigIntegerField(null=True, blank=True)
    site = models.ForeignKey(
        "tenancy.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    category = models.CharField(max_length=30, blank=True)
    purpose = models.CharField(max_length=30, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["site", "-seq"], name="audit_site_seq"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only; this one was already written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events are append-only and cannot be deleted.")


class AuditChainHead(models.Model):
    """The last sequence number and hash. Writers lock this row, so the chain stays a line
    under concurrency, and a deleted tail is still detected."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class Disclosure(models.Model):
    """One disclosure of 42 CFR Part 2 information: what a Part 2 programme holds about a
    participant, shown, printed, exported or answered over the API to someone outside that
    programme, under the programme's release naming the recipient. Append-only like
    `AuditEvent`, and secured by it: the read's event lists each row's keyed digest, so
    `tandem audit_verify` finds an edited, removed or forged row. The participant's
    accounting of disclosures (42 CFR 2.25) is read from here."""

    class Channel(models.TextChoices):
        SCREEN = "screen", "Screen"
        PRINT = "print", "Print"
        EXPORT = "export", "Export"
        API = "api", "API"

    public_id = models.UUIDField(unique=True, editable=False)
    at = models.DateTimeField()
    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The Part 2 programme whose information left it.
    programme = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    recipient_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # The member's username or the API token's name, as the audit chain records it.
    recipient_label = models.CharField(max_length=200)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    api_token_id = models.BigIntegerField(null=True, blank=True)
    # The release that allowed it: a disclosure outside the programme always rests on one.
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(default=list)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(max_length=30)
    read_event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)

    # A disclosure was of the record it names; a merge does not move it (it is append-only
    # and chained). The accounting follows merged records to their survivor instead.
    merge_follows_person = False

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "programme", "-at"], name="disclosure_person_at"),
        ]

    def __str__(self) -> str:
        return f"Disclosure to {self.recipient_label} ({self.channel}) at {self.at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Disclosures are append-only; this one was already written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Disclosures are append-only and cannot be deleted.")
