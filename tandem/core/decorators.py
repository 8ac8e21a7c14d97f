"""View guards. A view that shows site data needs a signed-in member with a current site."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from tandem.access.decisions import Capability, can


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and working at a site (else: choose one)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "viewer", None) is None:
            return redirect("tenancy:choose")
        return view(request, *args, **kwargs)

    return wrapped


def capability_required(
    capability: Capability,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A member whose role has `capability`; anyone else gets 404, as if the page were not
    there."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @member_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.viewer, capability):  # type: ignore[attr-defined]
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
