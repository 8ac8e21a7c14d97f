from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tandem.core.requests import AuthedRequest
from tandem.tenancy.middleware import SESSION_SITE_KEY
from tandem.tenancy.services import site_switch


@login_required
@require_http_methods(["GET", "POST"])
def site_choose(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    if request.method == "POST":
        wanted = request.POST.get("site", "")
        membership = next((m for m in req.memberships if str(m.site.public_id) == wanted), None)
        if membership is None:
            # A forged or foreign site id looks exactly like one that does not exist.
            raise Http404("No such site.")
        site_switch(actor=req.user, membership=membership, previous=req.membership)
        request.session[SESSION_SITE_KEY] = str(membership.site.public_id)
        return redirect("core:home")
    return render(request, "tenancy/site_choose.html", {"memberships": req.memberships})
