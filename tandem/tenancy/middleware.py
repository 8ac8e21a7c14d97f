from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tandem.access.viewer import Viewer
from tandem.core.requests import AuthedRequest
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
            memberships = list(
                Membership.objects.filter(user=request.user, is_active=True).select_related(
                    "site", "organization", "user"
                )
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
            return self.get_response(request)
        finally:
            timezone.deactivate()
