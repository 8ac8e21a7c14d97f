"""Releases of information (ROI): which organisations of a site may receive which categories
of a participant's information, for what purpose, from when until when. Nothing here is
ever deleted; a revocation is a date on the row, so the history of every release stays."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from tandem.access.roles import Category, Purpose
from tandem.core.models import TandemModel


def consent_signature_path(instance: Consent, filename: str) -> str:
    """A random path that tells nothing about the person. MEDIA_ROOT is never served by URL;
    the signature view checks access and streams the file."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"private/consents/{secrets.token_hex(16)}{suffix}"


class Consent(TandemModel):
    """One signed release of information, recorded by an organisation (usually the
    case-management provider). When the recording organisation is a 42 CFR Part 2
    programme, the release carries the elements of 42 CFR 2.31."""

    class PurposeChoice(models.TextChoices):
        CARE_COORDINATION = Purpose.CARE_COORDINATION.value, Purpose.CARE_COORDINATION.label
        LEGAL_COORDINATION = Purpose.LEGAL_COORDINATION.value, Purpose.LEGAL_COORDINATION.label
        POLICE_LOOKUP = Purpose.POLICE_LOOKUP.value, Purpose.POLICE_LOOKUP.label

    class SignatureKind(models.TextChoices):
        DRAWN = "drawn", "Drawn on the screen"
        SCAN = "scan", "Scan of a signed paper form"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents")
    recorded_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="consents_recorded"
    )
    purpose = models.CharField(max_length=30, choices=PurposeChoice.choices)
    purpose_text = models.TextField()
    effective_on = models.DateField()
    expires_on = models.DateField()
    # 42 CFR 2.31(a): what may be disclosed (amount and kind), the right to revoke and how,
    # and that treatment is not conditioned on signing. Filled when the recording
    # organisation is a Part 2 programme; the other elements are fields of the release.
    disclosure_description = models.TextField(blank=True)
    revocation_instructions = models.TextField(blank=True)
    expiry_event = models.CharField(max_length=300, blank=True)
    treatment_not_conditioned = models.BooleanField(default=False)
    signed_name = models.CharField(max_length=200)
    signed_on = models.DateField()
    signature_kind = models.CharField(max_length=10, choices=SignatureKind.choices)
    signature = models.FileField(upload_to=consent_signature_path)
    witness_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(blank=True)
    # When the team was reminded that the release is about to expire (once per release).
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("effective_on")),
                name="consent_expires_after_effective",
            )
        ]

    def __str__(self) -> str:
        return f"Release of information {self.effective_on} to {self.expires_on}"

    def status_on(self, today: date) -> str:
        """current, expired, revoked or not_yet_effective, as on `today`."""
        if self.revoked_at is not None:
            return "revoked"
        if today < self.effective_on:
            return "not_yet_effective"
        if today > self.expires_on:
            return "expired"
        return "current"


class ConsentGrant(TandemModel):
    """One recipient of a release: an organisation of the same site and the categories it
    may receive. Revoking one organisation dates this row; the release stays."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="grants")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="consent_grants"
    )
    categories = models.JSONField(default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent", "organization"], name="consent_grant_one_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {', '.join(self.categories)}"

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [labels.get(value, value) for value in self.categories]


class ContactNotice(TandemModel):
    """A police officer's word to the case-management team holding a participant: they saw
    the person, are worried about their welfare, or there was a new incident. It goes one
    way: police learn nothing back from the team (Golden Rule 1). Sent from a lookup that
    answered with a record, so only about someone the officer's agency may know is in LEAD."""

    class Kind(models.TextChoices):
        SAW = "saw", "Saw the person"
        WELFARE = "welfare", "Welfare concern"
        INCIDENT = "incident", "New incident"

    TEXT_MAX_LENGTH = 500
    PLACE_MAX_LENGTH = 200

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="contact_notices"
    )
    # The provider holding the participant when the notice was sent: its team receives it.
    provider = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="contact_notices"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_by_organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=TEXT_MAX_LENGTH)
    place = models.CharField(max_length=PLACE_MAX_LENGTH, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="contact_notice_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"
