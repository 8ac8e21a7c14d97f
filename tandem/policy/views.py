"""The policy pages: the versions, one version in plain words with what changed, its PCG
document, and the form for a new version. Thin: selectors read, the service writes;
anything out of scope answers 404."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.access.decisions import Capability, can
from tandem.access.viewer import Viewer
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest
from tandem.policy.forms import PolicyVersionForm
from tandem.policy.rules import PolicyRules
from tandem.policy.selectors import (
    newest_policy_version,
    policy_document_get,
    policy_version_page,
    policy_versions,
)
from tandem.policy.services import policy_version_create
from tandem.tenancy.models import Site


def _site(req: AuthedRequest) -> Site:
    assert req.membership is not None
    return req.membership.site


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


@capability_required(Capability.VIEW_POLICY)
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    rows = policy_versions(viewer)
    return render(
        request,
        "policy/list.html",
        {"rows": rows, "can_manage": can(viewer, Capability.MANAGE_POLICY)},
    )


@capability_required(Capability.VIEW_POLICY)
@require_GET
def policy_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = policy_version_page(viewer, public_id)
    return render(request, "policy/detail.html", {"page": page, "version": page.version})


@capability_required(Capability.VIEW_POLICY)
@require_GET
def policy_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The PCG decision's PDF, for a viewer who may read the policy (never a public URL).
    Sent as a download, so that no browser renders an uploaded file inside Tandem."""
    _, viewer = _viewer(request)
    document = policy_document_get(viewer, public_id)
    with document.content:
        # Read from the stored bytes, so the storage path never reaches the browser.
        response = HttpResponse(document.content.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@capability_required(Capability.MANAGE_POLICY)
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    req, viewer = _viewer(request)
    newest = newest_policy_version(viewer.site_id)
    if request.method == "POST":
        form = PolicyVersionForm(request.POST, request.FILES)
        if form.is_valid() and form.rules is not None:
            data = form.cleaned_data
            try:
                version = policy_version_create(
                    actor=req.user,
                    site=_site(req),
                    rules=form.rules,
                    effective_from=data["effective_from"],
                    pcg_decided_on=data["pcg_decided_on"],
                    pcg_reference=data["pcg_reference"],
                    pcg_document=data.get("pcg_document"),
                    note=data["note"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Version {version.number} of the policy is adopted.")
                return redirect("policy:detail", version.public_id)
    else:
        # Start from the newest version (the one in force, or one already scheduled, which
        # a new version may not take effect before).
        rules = newest.policy_rules if newest is not None else PolicyRules.default()
        starts = timezone.localdate()
        if newest is not None:
            starts = max(starts, newest.effective_from)
        form = PolicyVersionForm(
            initial=PolicyVersionForm.initial_from(rules, effective_from=starts)
        )
    return render(
        request,
        "policy/form.html",
        {
            "form": form,
            "newest": newest,
            "document_lost": request.method == "POST" and bool(request.FILES.get("pcg_document")),
        },
    )
