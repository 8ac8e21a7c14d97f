"""Casework's periodic work: participants without a substantive contact for longer than
their site's policy allows become inactive and go on the outreach list
(services.enrollments_mark_inactive). Hourly, so each site's day boundary, in its own time
zone, is met within the hour; idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.casework.services import enrollments_mark_inactive
from tandem.core.periodic import periodic


@periodic(every=timedelta(hours=1), name="casework.inactivity")
def inactivity_job(now: datetime) -> int:
    return enrollments_mark_inactive(now)
