from typing import Any

from django.conf import settings
from django.http import HttpRequest


def security_limits(request: HttpRequest) -> dict[str, Any]:
    """The lockout rule as configured, so that pages state it truthfully."""
    return {
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
