"""A site's eligibility policy, one version per PCG decision. A version is never edited or
deleted: a change is a new version, and every decision keeps the version it used, so it
can be replayed with the rules it was made under."""

from __future__ import annotations

import secrets
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from tandem.core.models import TandemModel
from tandem.policy.rules import PolicyRules


def pcg_document_path(instance: PolicyVersion, filename: str) -> str:
    """A random path; MEDIA_ROOT is never served by URL, the document view checks access."""
    return f"private/policy/{secrets.token_hex(16)}.pdf"


class PolicyVersion(TandemModel):
    """Version `number` of a site's policy, in force from `effective_from` until a later
    version takes effect, as adopted by the Policy Coordinating Group."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    # PolicyRules.to_dict(); read it through `policy_rules`.
    rules = models.JSONField()
    pcg_decided_on = models.DateField("PCG decision date")
    pcg_reference = models.CharField("PCG decision reference", max_length=300)
    pcg_document = models.FileField(
        "PCG decision document", upload_to=pcg_document_path, blank=True, max_length=200
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="policy_version_unique_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="policy_version_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["site", "effective_from"], name="policy_site_effective")]

    def __str__(self) -> str:
        return f"Policy version {self.number} from {self.effective_from}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A policy version is never changed: adopt a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("A policy version is never deleted: decisions made under it keep it.")

    def get_absolute_url(self) -> str:
        return reverse("policy:detail", args=[self.public_id])

    @cached_property
    def policy_rules(self) -> PolicyRules:
        return PolicyRules.from_dict(self.rules)
