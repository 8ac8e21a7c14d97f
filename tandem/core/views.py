from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.access.roles import CASE_MANAGEMENT_ROLES, LEGAL_ROLES, POLICE_ROLES, Role
from tandem.casework.selectors import (
    caseload_get,
    caseload_sizes,
    national_figures,
    on_call_contacts,
    site_figures,
)
from tandem.core.decorators import member_required
from tandem.core.requests import AuthedRequest
from tandem.tenancy.models import Organization


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a page made for what it does at a LEAD site."""
    req = AuthedRequest.cast(request)
    viewer = req.viewer
    assert viewer is not None
    role = viewer.role
    context: dict[str, Any] = {"role": role}
    if role in CASE_MANAGEMENT_ROLES:
        caseload = caseload_get(viewer=viewer)
        context["caseload"] = caseload
        context["caseload_sizes"] = caseload_sizes(
            viewer=viewer, warn=caseload.warn, cap=caseload.cap
        )
        context["figures"] = site_figures(viewer=viewer)
        template = "core/home_case_management.html"
    elif role is Role.PROJECT_MANAGER:
        context["figures"] = site_figures(viewer=viewer)
        template = "core/home_project_manager.html"
    elif role in POLICE_ROLES or role in LEGAL_ROLES:
        context["on_call"] = on_call_contacts(viewer=viewer)
        template = "core/home_partner.html"
    elif role is Role.SITE_ADMIN:
        context["organizations"] = list(
            Organization.objects.filter(site_id=viewer.site_id).order_by("name")
        )
        template = "core/home_site_admin.html"
    elif role is Role.NATIONAL_SUPPORT:
        context["national"] = national_figures(viewer=viewer)
        template = "core/home_national.html"
    else:
        context["figures"] = site_figures(viewer=viewer)
        template = "core/home_figures.html"
    return render(request, template, context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: the failure may have come from one of them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
