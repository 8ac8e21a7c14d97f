"""Pages for releases of information and the police lookup. Thin: selectors decide who
may see what, services write; anything out of scope answers 404."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.decisions import Capability
from tandem.access.errors import OutOfScope
from tandem.access.viewer import Viewer
from tandem.consent.forms import ConsentForm, LookupForm, RevokeForm
from tandem.consent.selectors import (
    consent_for_change,
    consent_form_context,
    consent_get,
    consent_list,
    consent_signature_get,
    police_lookup,
)
from tandem.consent.services import consent_record, consent_revoke
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest
from tandem.tenancy.models import Organization


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


@member_required
@require_GET
def consent_list_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = consent_list(viewer=viewer, person_id=person_id)
    return render(request, "consent/list.html", {"page": page})


@member_required
@require_http_methods(["GET", "POST"])
def consent_create_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    context = consent_form_context(viewer=viewer, person_id=person_id)
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        recipients=context.recipients,
        part2=context.recorder.is_part2_program,
        today=timezone.localdate(),
        term_days=context.site.consent_term_days,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = consent_record(
                actor=req.user,
                person=context.person,
                recorded_by_organization=context.recorder,
                grants=form.grants(),
                purpose=data["purpose"],
                purpose_text=data["purpose_text"],
                effective_on=data["effective_on"],
                expires_on=data["expires_on"],
                signed_name=data["signed_name"],
                signature_drawn=data["signature_drawn"],
                signature_scan=data.get("signature_scan"),
                witness_name=data["witness_name"],
                part2=form.part2_elements(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The release of information is recorded.")
            return redirect("consent:detail", consent.public_id)
    return render(
        request,
        "consent/form.html",
        {"form": form, "context": context, "person_id": person_id},
    )


@member_required
@require_GET
def consent_detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    copy = consent_get(viewer=viewer, public_id=public_id)
    return render(request, "consent/detail.html", {"copy": copy, "consent": copy.consent})


@member_required
@require_GET
def consent_signature(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The signature image, for a viewer who may read the release (never a public URL)."""
    _, viewer = _viewer(request)
    signature = consent_signature_get(viewer=viewer, public_id=public_id)
    with signature.content:
        return HttpResponse(signature.content.read(), content_type=signature.content_type)


@member_required
@require_POST
def consent_revoke_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    consent = consent_for_change(viewer=viewer, public_id=public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the consent is revoked.")
        return redirect("consent:detail", consent.public_id)
    organization = None
    organization_id = form.cleaned_data["organization"]
    if organization_id is not None:
        organization = Organization.objects.filter(
            site_id=viewer.site_id, public_id=organization_id
        ).first()
        if organization is None:
            raise OutOfScope("No such organisation.")
    try:
        consent_revoke(
            actor=req.user,
            consent=consent,
            organization=organization,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Revoked for {organization}." if organization else "The whole consent is revoked.",
        )
    return redirect("consent:detail", consent.public_id)


@capability_required(Capability.POLICE_LOOKUP)
@require_http_methods(["GET", "POST"])
def lookup_page(request: HttpRequest) -> HttpResponse:
    """ "Is this person in LEAD, and whom do I call?" The answer page is the same, byte for
    byte, for someone unknown and for someone whose release does not cover the officer's
    agency (Golden Rule 1)."""
    _, viewer = _viewer(request)
    form = LookupForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = police_lookup(
            viewer=viewer,
            reason=data["reason"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        # What was typed is not echoed back: the answer must not differ by what was found.
        form = LookupForm(initial={"reason": data["reason"]})
    return render(request, "consent/lookup.html", {"form": form, "matches": matches})
