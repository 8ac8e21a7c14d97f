"""How the API knows who is calling: a signed-in member's session (the browser) or a
partner system's bearer token. Either way the result is a Viewer for the access decision."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from tandem.access.viewer import Viewer
from tandem.accounts.services import TOKEN_PREFIX, api_token_use


class TokenAuth(HttpBearer):
    openapi_description = "A partner system's token, issued by a site administrator."

    def authenticate(self, request: HttpRequest, token: str) -> Viewer | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        # Looked up by digest, stamped and its use audited (a revoked token finds nothing).
        used = api_token_use(secret=token, method=request.method or "", path=request.path)
        if used is None:
            return None
        viewer, zone = used
        # Dates are the site's, as on its pages (CurrentSiteMiddleware deactivates it after).
        timezone.activate(zone)
        return viewer


class MemberSessionAuth(APIKeyCookie):
    """The browser's session; the member's current site decides what they see.

    Ninja's views are exempt from Django's CSRF middleware, so the CSRF check lives in
    `APIKeyCookie._get_key`: it must not be overridden, or a POST from another site would
    ride on the member's cookie. The session itself was already resolved by the middleware
    (`request.viewer`), so the cookie's value is not used here."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "A signed-in member's session (the browser)."

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return getattr(request, "viewer", None)
