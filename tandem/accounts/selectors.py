"""Reads about sign-in accounts: whether django-axes holds one locked after failed sign-ins.

Axes counts, for one account (AXES_LOCKOUT_PARAMETERS = ["username"], under the stored
username, see tandem.accounts.lockout), the failures of its attempt rows younger than the
cool-off time, and refuses every sign-in once they reach AXES_FAILURE_LIMIT. These reads
ask the same question of the same rows, so that a page can show it without a request to
sign in."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


def lockout_limit() -> int:
    """How many failed sign-ins lock an account."""
    limit = settings.AXES_FAILURE_LIMIT
    if not isinstance(limit, int):
        raise TypeError("AXES_FAILURE_LIMIT must be a number for the members page to use it.")
    return limit


def _counted_attempts(username: str | OuterRef) -> QuerySet[Any]:
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    # No ordering: axes orders attempts by time, which would split the sum below.
    return attempts.order_by()


def lockout_failures(username: OuterRef) -> Coalesce:
    """An expression for annotating rows: the failed sign-ins axes counts now against the
    account whose username `username` refers to (0 when none)."""
    total = (
        _counted_attempts(username)
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


def account_is_locked(*, username: str) -> bool:
    """Does axes refuse every sign-in of `username` at the moment?"""
    counted = _counted_attempts(username).aggregate(total=Sum("failures_since_start"))
    return int(counted["total"] or 0) >= lockout_limit()
