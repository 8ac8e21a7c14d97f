from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tandem.access.roles import Role
from tandem.audit.services import audit_record

STARTED_KEY = "tandem.started"
LAST_SEEN_KEY = "tandem.last_seen"
MFA_OK_KEY = "tandem.mfa_ok"
LAST_SEEN_RESOLUTION = 60


class SessionPolicyMiddleware:
    """Ends a session after 30 minutes without a request, and 12 hours after sign-in,
    whatever the activity (HIPAA 164.312(a)(2)(iii); CJIS 5.5.5 session lock)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(STARTED_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            reason = ""
            if now - last_seen > idle:
                reason = f"after {int(idle // 60)} minutes without activity"
            elif now - started > absolute:
                reason = f"{int(absolute // 3600)} hours after you signed in"
            if reason:
                user = request.user
                logout(request)
                audit_record(actor=user, action="auth.session_expired", detail={"reason": reason})
                messages.info(request, f"You were signed out {reason}. Please sign in again.")
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                login_url = f"{reverse('account_login')}?next={request.path}"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(login_url)
            if STARTED_KEY not in request.session:
                request.session[STARTED_KEY] = started
            # Record activity at most once a minute: the idle limit stays exact to the
            # minute without writing the session on every request.
            if now - request.session.get(LAST_SEEN_KEY, 0) >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# allauth asks for the password again before an authenticator is added, so the
# re-authentication page must stay reachable, or setting up a second factor loops forever.
MFA_SETUP_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/static/",
)


class RequireMFAMiddleware:
    """Every role that can see participant data must have a second factor before it sees
    anything. The demo can switch this off (TANDEM_DEMO_RELAX_MFA), and then says so on
    every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.user.is_authenticated
            or settings.DEMO_RELAX_MFA
            or request.session.get(MFA_OK_KEY)
            or not _needs_mfa(request)
        ):
            return self.get_response(request)
        is_api = request.path.startswith("/api/")
        if is_mfa_enabled(request.user):
            # The account has a second factor, but this session never used it (it signed in
            # with a password before the factor was added). It may not even manage factors:
            # it signs in again, with the second factor.
            if request.path.startswith("/accounts/logout/"):
                return self.get_response(request)
            user = request.user
            logout(request)
            _forget_member(request)
            audit_record(
                actor=user,
                action="auth.session_ended",
                detail={"reason": "signed in without the second factor"},
            )
            if is_api:
                return self.get_response(request)
            messages.info(request, "Please sign in again with your second factor.")
            return redirect("account_login")
        if request.path.startswith(MFA_SETUP_PREFIXES):
            return self.get_response(request)
        if is_api:
            return HttpResponse(
                '{"detail": "Set up two-factor authentication first."}',
                status=403,
                content_type="application/json",
            )
        messages.warning(
            request,
            "Your role needs a second factor to sign in to Tandem. Set up an "
            "authenticator app to continue.",
        )
        return redirect("mfa_activate_totp")


def _forget_member(request: HttpRequest) -> None:
    """After a sign-out inside the middleware chain, nothing of the member may remain."""
    request.membership = None  # type: ignore[attr-defined]
    request.memberships = []  # type: ignore[attr-defined]
    request.viewer = None  # type: ignore[attr-defined]


def _needs_mfa(request: HttpRequest) -> bool:
    memberships = getattr(request, "memberships", None) or []
    if not memberships:
        # A user without a site sees nothing, but must still not skip the second factor.
        return True
    return any(Role(m.role).requires_mfa for m in memberships)
