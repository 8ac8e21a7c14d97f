from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tandem.core.navigation import navigation_for


def current_site(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    viewer = getattr(request, "viewer", None)
    return {
        "current_membership": membership,
        "current_site": membership.site if membership else None,
        "site_count": len(getattr(request, "memberships", [])),
        "nav_items": navigation_for(viewer),
        "demo_relaxed_mfa": settings.DEMO_RELAX_MFA,
    }
