"""The three doors into LEAD (DOMAIN.md §3): arrest diversion, social contact and community
referrals, each an explicit state machine; the on-call case manager's hand-off; and the
on-call roster that says whom to page."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.core.models import TandemModel


class Door(models.TextChoices):
    ARREST = "arrest", "Arrest diversion"
    SOCIAL_CONTACT = "social_contact", "Social contact"
    COMMUNITY = "community", "Community referral"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SCREENED = "screened", "Screened"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    INELIGIBLE = "ineligible", "Ineligible"
    NOT_LOCATED = "not_located", "Not yet located"
    INTAKE_PENDING = "intake_pending", "Located, intake pending"
    ENROLLED = "enrolled", "Enrolled"
    DECLINED_BY_PERSON = "declined_by_person", "Declined by the person"
    EXPIRED = "expired", "Expired"


class Referral(TandemModel):
    """One referral through one door. Kept whatever happens to it: sites count every
    referral, the ineligible and declined ones too (DOMAIN.md §3)."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    door = models.CharField(max_length=20, choices=Door.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    # Who. The person is linked when the matcher is sure, or by the team at triage; until
    # then the referral keeps what the referrer said.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)

    # Who referred.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referrer_organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_role = models.CharField(max_length=30, blank=True)
    # A community referrer has no account: their own words for who they are and how to
    # reach them.
    referrer_name = models.CharField(max_length=120, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    referrer_relationship = models.CharField(max_length=120, blank=True)

    # Where and when, and the conduct.
    occurred_at = models.DateTimeField()
    location_text = models.CharField(max_length=300, blank=True)
    area = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    observations = models.TextField(blank=True)

    # The eligibility facts as given, the presumptive result with every reason, and the
    # policy version that produced it: replaying the facts with that version gives the
    # same result, whatever the site adopts later.
    facts = models.JSONField(default=dict, blank=True)
    evaluation = models.JSONField(default=dict, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The approver's decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    # The hand-off: paged → accepted → case manager arrived → hand-off done.
    handoff_requested_at = models.DateTimeField(null=True, blank=True)
    handoff_accepted_at = models.DateTimeField(null=True, blank=True)
    handoff_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_manager_arrived_at = models.DateTimeField(null=True, blank=True)
    handoff_done_at = models.DateTimeField(null=True, blank=True)
    handoff_escalated_at = models.DateTimeField(null=True, blank=True)

    # After approval: who works it, and until when an intake is expected.
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intake_due_on = models.DateField(null=True, blank=True)
    hold = models.OneToOneField(
        "legal.DivertedChargeHold",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral",
    )
    enrollment = models.ForeignKey(
        "casework.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["site", "status", "occurred_at"], name="referral_site_status"),
            models.Index(fields=["referrer", "occurred_at"], name="referral_referrer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_door_display()} · {self.get_status_display()}"

    @property
    def referred_name(self) -> str:
        name = " ".join(part for part in (self.given_name, self.family_name) if part)
        return name or "Name not known"


class ReferralEvent(TandemModel):
    """One step of a referral's life: a status change, a hand-off step, a link to a person.
    The referral page shows these as its history."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_label = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}→{self.to_status}"


class OnCallShift(TandemModel):
    """Who answers the on-call phone of a case-management provider, and when. An officer's
    referral pages whoever is on call at that moment."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["site", "ends_at"], name="oncall_site_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="oncall_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%H:%M}"


class PublicFormSubmission(models.Model):
    """When the public form was used from where (a keyed hash of the address, never the
    address itself), for the rate limit. Old rows are pruned by the periodic sweep."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.CASCADE, related_name="+")
    client_digest = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client_digest", "at"], name="public_form_client")]

    def __str__(self) -> str:
        return f"public form {self.at:%Y-%m-%d %H:%M}"
