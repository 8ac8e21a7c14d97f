from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.access.decisions import Capability
from tandem.audit.forms import AuditFilterForm
from tandem.audit.selectors import AuditFilter, audit_event_list
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest

PAGE_SIZE = 50


@require_GET
@capability_required(Capability.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilter()
    if form.is_bound and form.is_valid():
        filters = AuditFilter(**form.cleaned_data)
    events = audit_event_list(viewer=req.viewer, filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "audit/log.html"
    if request.headers.get("HX-Request"):
        template += "#events"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
