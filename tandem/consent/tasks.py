"""Releases of information about to expire: the case-management team is reminded 30 days
before, once per release, so that it can ask the participant whether to renew. Expiry
itself needs no job: a release stops counting the day after it ends (see current.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from tandem.access.roles import CASE_MANAGEMENT_ROLES
from tandem.accounts.models import User
from tandem.casework.models import Enrollment
from tandem.consent.models import Consent
from tandem.core.periodic import periodic
from tandem.notify.services import notify
from tandem.tenancy.models import Membership

REMINDER_DAYS = 30


@periodic(every=timedelta(hours=6), name="consent.expiry_reminders")
def consent_expiry_reminders(now: datetime) -> int:
    """Remind the team of each release that ends within REMINDER_DAYS (in the site's time
    zone), unless it was revoked, was already reminded, or the same organisation has
    recorded a later release for the person. Returns how many releases were reminded."""
    # A day of slack either side: each site's own calendar decides below.
    start = timezone.localdate(now) - timedelta(days=1)
    candidates = Consent.objects.filter(
        revoked_at__isnull=True,
        expiry_reminded_at__isnull=True,
        expires_on__gte=start,
        expires_on__lte=start + timedelta(days=REMINDER_DAYS + 2),
    ).select_related("site", "person", "recorded_by_organization")
    reminded = 0
    for consent in candidates:
        today = consent.site.today(now)
        if not _due(consent, today):
            continue
        # Claim the release first, so two workers never remind twice.
        claimed = Consent.objects.filter(pk=consent.pk, expiry_reminded_at__isnull=True).update(
            expiry_reminded_at=now
        )
        if not claimed:
            continue
        notify(
            site=consent.site,
            recipients=_team(consent),
            kind="consent-expiring",
            subject=f"A release of information ends within {REMINDER_DAYS} days",
            body=(
                f"{consent.person.display_name}'s release recorded by "
                f"{consent.recorded_by_organization} ends on {consent.expires_on.isoformat()}. "
                "Ask whether they want to renew it."
            ),
            url=reverse("consent:detail", args=[consent.public_id]),
            # Decided as the person's releases are: the casework category.
            person=consent.person,
            category="casework",
        )
        reminded += 1
    return reminded


def _due(consent: Consent, today: date) -> bool:
    if not (today <= consent.expires_on <= today + timedelta(days=REMINDER_DAYS)):
        return False
    if consent.effective_on > today:
        return False
    renewed = (
        Consent.objects.filter(
            person_id=consent.person_id,
            recorded_by_organization_id=consent.recorded_by_organization_id,
            revoked_at__isnull=True,
            expires_on__gt=consent.expires_on,
        )
        .exclude(pk=consent.pk)
        .exists()
    )
    return not renewed


def _team(consent: Consent) -> list[User]:
    """The case manager assigned on the person's enrollment with the recording provider, or
    else the provider's case-management staff."""
    enrollment = (
        Enrollment.objects.filter(
            person_id=consent.person_id, provider_id=consent.recorded_by_organization_id
        )
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("case_manager")
        .first()
    )
    if enrollment is not None and enrollment.case_manager is not None:
        return [enrollment.case_manager]
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=consent.recorded_by_organization_id,
            role__in=[role.value for role in CASE_MANAGEMENT_ROLES],
            is_active=True,
        ).select_related("user")
    ]
