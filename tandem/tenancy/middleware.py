from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tandem.access.viewer import Viewer
from tandem.core.navigation import unread_known
from tandem.core.requests import AuthedRequest
from tandem.notify.models import Notification
from tandem.tenancy.models import Membership

SESSION_SITE_KEY = "tandem.site"


class CurrentSiteMiddleware:
    """Resolves the membership the signed-in user acts under. The current site is explicit:
    kept in the session, chosen on the site page when a user belongs to several."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request = AuthedRequest.cast(request)
        request.membership = None
        request.memberships = []
        request.viewer = None
        if request.user.is_authenticated:
            memberships: list[Membership] = list(
                Membership.objects.filter(user=request.user, is_active=True)
                .select_related("site", "organization", "user")
                # The inbox badge's count, read here rather than by a query of its own.
                .annotate(unread_notifications=_unread_notifications())
            )
            request.memberships = memberships
            chosen = request.session.get(SESSION_SITE_KEY)
            current = next((m for m in memberships if str(m.site.public_id) == chosen), None)
            if current is None and len(memberships) == 1:
                current = memberships[0]
                request.session[SESSION_SITE_KEY] = str(current.site.public_id)
            if current is not None:
                request.membership = current
                request.viewer = Viewer.from_membership(current)
                # Dates and times on every page are the site's local ones.
                timezone.activate(zoneinfo.ZoneInfo(current.site.time_zone))
        try:
            if request.membership is None:
                return self.get_response(request)
            with unread_known(
                user_id=request.membership.user_id,
                site_id=request.membership.site_id,
                count=request.membership.unread_notifications,  # type: ignore[attr-defined]
            ):
                return self.get_response(request)
        finally:
            timezone.deactivate()


def _unread_notifications() -> Coalesce:
    """How many of the membership's user's notifications at its site are unread (as
    tandem.notify.selectors.unread_count)."""
    unread = (
        Notification.objects.filter(
            recipient_id=OuterRef("user_id"), site_id=OuterRef("site_id"), read_at__isnull=True
        )
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0, output_field=IntegerField())
