from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.decisions import Capability
from tandem.accounts.forms import ApiTokenForm
from tandem.accounts.models import ApiToken
from tandem.accounts.services import api_token_issue, api_token_revoke
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest


@capability_required(Capability.MANAGE_API_TOKENS)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    site_id = req.viewer.site_id
    form = ApiTokenForm(request.POST if request.method == "POST" else None, site_id=site_id)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = api_token_issue(
                actor=req.user,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            form = ApiTokenForm(site_id=site_id)
    tokens = ApiToken.objects.filter(site_id=site_id).select_related("organization", "created_by")
    return render(
        request, "accounts/token_list.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@capability_required(Capability.MANAGE_API_TOKENS)
@require_POST
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    token = ApiToken.objects.filter(site_id=req.viewer.site_id, public_id=public_id).first()
    if token is None:
        raise Http404("No such token.")
    try:
        api_token_revoke(actor=req.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Token “{token.name}” revoked. Systems using it are refused from now on."
        )
    return redirect("api_tokens:list")
