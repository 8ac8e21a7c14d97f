"""Periodic work on diverted-charge holds: remind the case manager before the intake deadline,
and tell the prosecutor's office on the deadline day. Idempotent: a hold carries when each
was sent (`reminded_at`, `deadline_notice_at`); an extension clears both."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format

from tandem.access.roles import CASE_MANAGEMENT_ROLES, Role
from tandem.accounts.models import User
from tandem.core.periodic import periodic
from tandem.legal.models import DivertedChargeHold
from tandem.legal.services import hold_mark_deadline_notice, hold_mark_reminded
from tandem.notify.services import notify
from tandem.tenancy.models import Membership, Site

logger = logging.getLogger(__name__)

# The LEAD model's default until the site's policy says otherwise (tandem.policy).
DEFAULT_REMINDER_DAYS = 3

# Subjects travel by e-mail and SMS too, so they carry no participant data; the body is
# shown only in Tandem's inbox, to the signed-in recipient.
REMINDER_SUBJECT = "A diverted charge's intake deadline is coming up"
NOTICE_SUBJECT = "A diverted charge reaches its intake deadline today"
LATE_NOTICE_SUBJECT = "A diverted charge has passed its intake deadline"


def reminder_days(site_id: int, on: date) -> int:
    """How many days before the deadline the case manager is reminded, from the site's
    policy in force on `on`."""
    try:
        from tandem.policy.selectors import policy_rules_in_force
    except ImportError:  # the policy app is not installed
        return DEFAULT_REMINDER_DAYS
    return int(policy_rules_in_force(site_id, on).intake_reminder_days)


@periodic(every=timedelta(minutes=15), name="legal.holds_sweep")
def holds_sweep(now: datetime) -> int:
    """Send what is due for open holds at `now`, each site on its own calendar; returns the
    number of notifications sent."""
    sent = 0
    failed: list[int] = []
    site_ids = (
        DivertedChargeHold.objects.filter(disposition=DivertedChargeHold.Disposition.OPEN)
        .order_by()
        .values_list("site_id", flat=True)
        .distinct()
    )
    for site in Site.objects.filter(pk__in=list(site_ids)).order_by("pk"):
        today = site.today(now)
        days = reminder_days(site.pk, today)
        due = list(
            DivertedChargeHold.objects.filter(
                site=site, disposition=DivertedChargeHold.Disposition.OPEN
            )
            .filter(_reminder_due(today, days) | _notice_due(today))
            .order_by("deadline", "pk")
            .values_list("pk", flat=True)
        )
        for pk in due:
            try:
                sent += _sweep_hold(pk, site=site, now=now, today=today, days=days)
            except Exception:
                # One hold that cannot be sent (its transaction rolled back) must not stop
                # the reminders of every hold after it; the run still reports the failure.
                logger.exception("The holds sweep could not send for hold %s", pk)
                failed.append(pk)
    if failed:
        raise RuntimeError(
            f"The holds sweep sent {sent} notifications but failed for {len(failed)} "
            f"hold(s) (ids {', '.join(map(str, failed))}); see the log."
        )
    return sent


def _reminder_due(today: date, days: int) -> Q:
    # From `days` before the deadline up to the deadline itself (a sweep that missed the
    # exact day still reminds), for an assigned case manager whose participant has no
    # intake recorded yet.
    return Q(
        reminded_at__isnull=True,
        intake_completed_on__isnull=True,
        case_manager__isnull=False,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=days),
    )


def _notice_due(today: date) -> Q:
    return Q(deadline_notice_at__isnull=True, deadline__lte=today)


@transaction.atomic
def _sweep_hold(pk: int, *, site: Site, now: datetime, today: date, days: int) -> int:
    # Locked and read again: another worker, or a prosecutor's decision, may have come first.
    hold = (
        DivertedChargeHold.objects.select_for_update(of=("self",))
        .select_related("person", "case_manager", "prosecutor_organization")
        .get(pk=pk)
    )
    if not hold.is_open:
        return 0
    sent = 0
    if DivertedChargeHold.objects.filter(_reminder_due(today, days), pk=pk).exists():
        sent += _remind(hold, site=site, now=now, today=today)
    if DivertedChargeHold.objects.filter(_notice_due(today), pk=pk).exists():
        sent += _tell_prosecutors(hold, site=site, now=now, today=today)
    return sent


def _remind(hold: DivertedChargeHold, *, site: Site, now: datetime, today: date) -> int:
    case_manager = hold.case_manager
    if case_manager is None or not _active_members(
        site, [case_manager.pk], roles=CASE_MANAGEMENT_ROLES
    ):
        # Nobody to remind now; the next run looks again (after an assignment, say).
        return 0
    person = hold.person
    left = (hold.deadline - today).days
    body = (
        f"{person.display_name} (born {person.date_of_birth_display}) must complete the intake "
        f"by {date_format(hold.deadline)} ({left} day{'s' if left != 1 else ''} left), or "
        f"{hold.prosecutor_organization.name} may file the diverted charge."
    )
    notifications = notify(
        site=site,
        recipients=[case_manager],
        kind="hold-reminder",
        subject=REMINDER_SUBJECT,
        body=body,
        url=reverse("people:detail", args=[person.public_id]),
        person=person,
        category="legal",
        # The team reads the hold's deadline on the referral it came from, in that
        # referral's scope; a hold made without one is decided on the person.
        referral=getattr(hold, "referral", None),
    )
    hold_mark_reminded(hold=hold, at=now)
    return len(notifications)


def _tell_prosecutors(hold: DivertedChargeHold, *, site: Site, now: datetime, today: date) -> int:
    prosecutors = list(
        User.objects.filter(
            is_active=True,
            memberships__site=site,
            memberships__organization_id=hold.prosecutor_organization_id,
            memberships__role=Role.PROSECUTOR,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    if not prosecutors:
        # Nobody at the office to tell now; the next run looks again.
        return 0
    person = hold.person
    intake = (
        f"The intake was completed on {date_format(hold.intake_completed_on)}."
        if hold.intake_completed_on
        else "No intake is recorded."
    )
    body = (
        f"{person.display_name} (born {person.date_of_birth_display}): {hold.charge_summary}. "
        f"Intake deadline {date_format(hold.deadline)}. {intake}"
    )
    notifications = notify(
        site=site,
        recipients=prosecutors,
        kind="hold-deadline",
        subject=NOTICE_SUBJECT if hold.deadline == today else LATE_NOTICE_SUBJECT,
        body=body,
        url=reverse("legal:hold", args=[hold.public_id]),
        # The office's own hold: its scope decides, as on the hold's page (no release needed).
        hold=hold,
        category="legal",
    )
    hold_mark_deadline_notice(hold=hold, at=now)
    return len(notifications)


def _active_members(site: Site, user_ids: list[int], *, roles: frozenset[Role]) -> list[int]:
    return list(
        Membership.objects.filter(
            site=site,
            user_id__in=user_ids,
            user__is_active=True,
            is_active=True,
            role__in=[role.value for role in roles],
        ).values_list("user_id", flat=True)
    )
