from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


class PrivateResponsesMiddleware:
    """Nothing a signed-in member or a partner system receives is kept by a browser or a
    proxy: a shared phone must not show a participant's page from its cache after sign-out.
    Pages that answer htmx with a fragment vary on that header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, no_store=True, private=True)
        if not request.path.startswith("/static/"):
            patch_vary_headers(response, ("HX-Request",))
        return response
