from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tandem.access.roles import Role
from tandem.core.models import TandemModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Los_Angeles).")


class Site(TandemModel):
    """One LEAD site: a collaboration of organisations in one jurisdiction."""

    class Stage(models.TextChoices):
        PLANNING = "planning", "Planning"
        PILOT = "pilot", "Pilot"
        OPERATING = "operating", "Operating"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNING)
    shares_national_aggregates = models.BooleanField(
        default=False,
        help_text="The site lets national support staff see its aggregate figures.",
    )
    consent_term_days = models.PositiveIntegerField(
        default=365,
        help_text="How long a release of information lasts unless it says otherwise, in days.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The site's date at `now` (by default, now). Every site keeps its own calendar:
        whatever a site records is dated by it, never by the server's time zone, so that a
        service answers the same from a page, a task or the API."""
        return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(self.time_zone)).date()


class Organization(TandemModel):
    """A partner agency at a site. Whether it is a 42 CFR Part 2 programme is a fact about
    the organisation, and decides how its substance-use records may be disclosed."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        PROSECUTOR = "prosecutor", "Prosecutor"
        DEFENDER = "defender", "Public defender"
        CASE_MANAGEMENT = "case_management", "Case-management provider"
        PROJECT_OFFICE = "project_office", "Project office"
        COMMUNITY = "community", "Community organisation"
        COURT = "court", "Court"
        JAIL = "jail", "Jail"
        SERVICE_PROVIDER = "service_provider", "Service provider"
        EVALUATION = "evaluation", "Evaluation team"
        NATIONAL = "national", "National support"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="organizations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    is_part2_program = models.BooleanField(
        "42 CFR Part 2 programme",
        default=False,
        help_text="A federally assisted substance-use treatment programme under 42 CFR Part 2.",
    )
    on_call_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="organization_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TandemModel):
    """What a user is at one site: one organisation, one role. A user may hold memberships
    at several sites and works in one of them at a time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_one_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.site}"

    def clean(self) -> None:
        if self.organization_id and self.site_id and self.organization.site_id != self.site_id:
            raise ValidationError({"organization": "The organisation belongs to another site."})
        if self.organization_id and self.role:
            allowed = Role(self.role).organization_kinds
            if allowed and self.organization.kind not in allowed:
                raise ValidationError(
                    {
                        "role": f"A {Role(self.role).label.lower()} cannot belong to "
                        f"a {self.organization.get_kind_display().lower()}."
                    }
                )
