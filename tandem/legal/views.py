"""Pages of legal coordination. Thin: selectors decide who may see what (404 otherwise),
services write; a refusal is shown above the form, which keeps what was typed."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.viewer import Viewer
from tandem.core.decorators import member_required
from tandem.core.requests import AuthedRequest
from tandem.legal.forms import DispositionForm, LetterForm, StatusForm
from tandem.legal.selectors import (
    HeldForLegal,
    LetterRequest,
    hold_for_change,
    hold_get,
    hold_list,
    legal_participant_get,
    legal_participant_list,
    legal_status_page,
    letter_get,
    letter_page,
    letter_recipients,
    person_for_legal_writing,
    summary_preview,
)
from tandem.legal.services import hold_dispose, legal_status_write, letter_issue


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


# Holds -------------------------------------------------------------------------------------


@member_required
@require_GET
def hold_list_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    holds = hold_list(viewer=viewer, state=request.GET.get("state", "open"))
    return render(request, "legal/hold_list.html", {"holds": holds})


def _render_hold(
    request: HttpRequest, viewer: Viewer, public_id: uuid.UUID, form: DispositionForm | None
) -> HttpResponse:
    detail = hold_get(viewer=viewer, public_id=public_id)
    if detail.can_work and detail.hold.is_open and form is None:
        form = DispositionForm()
    return render(
        request,
        "legal/hold_detail.html",
        {"detail": detail, "hold": detail.hold, "form": form if detail.can_work else None},
    )


@member_required
@require_GET
def hold_detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    return _render_hold(request, viewer, public_id, None)


@member_required
@require_POST
def hold_dispose_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    hold = hold_for_change(viewer=viewer, public_id=public_id)
    form = DispositionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = hold_dispose(
                actor=req.user,
                hold=hold,
                disposition=data["disposition"],
                reason=data["reason"],
                extended_to=data["extended_to"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if decided.is_open:
                messages.success(request, f"The deadline is now {date_format(decided.deadline)}.")
            else:
                messages.success(
                    request, f"The charge is {decided.get_disposition_display().lower()}."
                )
            return redirect("legal:hold", hold.public_id)
    return _render_hold(request, viewer, public_id, form)


# Legal partners ------------------------------------------------------------------------------


@member_required
@require_GET
def participant_list_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    participants = legal_participant_list(viewer=viewer)
    return render(request, "legal/participant_list.html", {"participants": participants})


@member_required
@require_GET
def participant_detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    participant = legal_participant_get(viewer=viewer, public_id=public_id)
    return render(request, "legal/participant_detail.html", {"participant": participant})


# The holding team: status for legal partners, letters ----------------------------------------


def _held(request: HttpRequest, person_id: uuid.UUID) -> tuple[AuthedRequest, Viewer, HeldForLegal]:
    req, viewer = _viewer(request)
    assert req.membership is not None
    held = person_for_legal_writing(
        viewer=viewer, person_id=person_id, team=req.membership.organization
    )
    return req, viewer, held


@member_required
@require_http_methods(["GET", "POST"])
def status_create_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer, held = _held(request, person_id)
    form = StatusForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            try:
                legal_status_write(
                    actor=req.user,
                    person=held.person,
                    written_by_organization=held.team,
                    engagement=data["engagement"],
                    progress=data["progress"],
                    barriers=data["barriers"],
                    note=data["note"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "The status for legal partners is shared.")
                return redirect("legal:status_create", held.person.public_id)
        else:
            preview = summary_preview(
                engagement=data["engagement"],
                progress=data["progress"],
                barriers=data["barriers"],
                note=data["note"],
            )
    page = legal_status_page(viewer=viewer, held=held)
    return render(
        request, "legal/status_form.html", {"page": page, "form": form, "preview": preview}
    )


@member_required
@require_http_methods(["GET", "POST"])
def letter_create_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Preview (what will be shared, and the consent that covers it), then issue."""
    req, viewer, held = _held(request, person_id)
    recipients = letter_recipients(viewer=viewer)
    form = LetterForm(request.POST or None, recipients=recipients)
    letter_request = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "issue":
            try:
                letter = letter_issue(
                    actor=req.user,
                    person=held.person,
                    issued_by_organization=held.team,
                    recipient_organization=form.recipient_organization(),
                    template=data["template"],
                    addressee=data["addressee"],
                    summary_id=data["summary"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, "The letter is issued. Print it from this page.")
                return redirect("legal:letter", letter.public_id)
        else:
            letter_request = LetterRequest(
                recipient=form.recipient_organization(),
                template=data["template"],
                addressee=data["addressee"],
                issued_by=req.user,
            )
    page = letter_page(viewer=viewer, held=held, recipients=recipients, request=letter_request)
    preview = page.preview
    if preview is not None and preview.refusals:
        form.add_error(None, preview.refusals)
    elif preview is not None:
        # The issue button carries the status the preview was made from.
        bound = request.POST.copy()
        bound["summary"] = str(preview.summary_id)
        form = LetterForm(bound, recipients=recipients)
        form.is_valid()
    return render(request, "legal/letter_form.html", {"page": page, "form": form, "draft": preview})


@member_required
@require_GET
def letter_detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    letter = letter_get(viewer=viewer, public_id=public_id)
    return render(request, "legal/letter_detail.html", {"letter": letter})
