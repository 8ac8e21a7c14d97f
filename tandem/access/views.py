"""The site administrator's view of the access policy in force."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.access.decisions import Capability
from tandem.access.matrix import CONSENT_STATES, effective_matrix
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest


@require_GET
@capability_required(Capability.MANAGE_SITE)
def matrix_page(request: HttpRequest) -> HttpResponse:
    """Role by category by consent state, as `decide()` answers them; printable."""
    req = AuthedRequest.cast(request)
    assert req.membership is not None
    return render(
        request,
        "access/matrix.html",
        {"site": req.membership.site, "states": CONSENT_STATES, "tables": effective_matrix()},
    )
