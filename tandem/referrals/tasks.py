"""The referrals' periodic work: escalate unanswered pages, expire referrals whose intake
deadline passed, and forget old rate-limit rows (see services.referrals_sweep)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.core.periodic import periodic
from tandem.referrals.services import referrals_sweep


@periodic(every=timedelta(minutes=2), name="referrals.sweep")
def referrals_sweep_job(now: datetime) -> int:
    return referrals_sweep(now)
