"""The matcher's background work: the daily duplicate scan of every site."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.core.periodic import periodic
from tandem.matching.services import duplicates_scan
from tandem.tenancy.models import Site


@periodic(every=timedelta(days=1), name="matching.duplicates_scan")
def duplicates_scan_every_site(now: datetime) -> int:
    """Scan every site for likely duplicates (the system acts: actor=None). The scan is
    idempotent: decided pairs are never proposed again and open ones are only re-scored.
    Returns how many sites were scanned."""
    scanned = 0
    for site in Site.objects.order_by("pk"):
        duplicates_scan(actor=None, site=site)
        scanned += 1
    return scanned
