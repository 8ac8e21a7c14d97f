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
from tandem.audit.disclosures import PART2_HEADER, PART2_SHORT_STATEMENT, Part2Notice
from tandem.consent.accounting import disclosure_accounting
from tandem.consent.forms import (
    AccountingForm,
    ConsentForm,
    ContactNoticeForm,
    LookupForm,
    RevokeForm,
)
from tandem.consent.notices import (
    contact_notice_for_change,
    contact_notice_list,
    contact_notice_mark_seen,
    contact_notice_refused,
    contact_notice_send,
    notice_target_get,
    notice_token_read,
)
from tandem.consent.selectors import (
    LookupMatch,
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
        response = HttpResponse(signature.content.read(), content_type=signature.content_type)
    if signature.part2_notice is not None:
        # An image cannot show the statement; 42 CFR 2.32(a)(2) allows the short one.
        response[PART2_HEADER] = PART2_SHORT_STATEMENT
    return response


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
    if request.method == "POST" and "token" in request.POST:
        return _notice_send(request)
    _, viewer = _viewer(request)
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = police_lookup(
            viewer=viewer,
            reason=data["reason"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        return _lookup_answer(request, reason=data["reason"], matches=matches)
    return render(request, "consent/lookup.html", {"form": form, "matches": None})


def _lookup_answer(
    request: HttpRequest, *, reason: str, matches: list[LookupMatch]
) -> HttpResponse:
    """The lookup's answer. With no match it must be the same whatever the reason there is
    none (unknown, no release, a release expired or revoked, a Part 2 programme's record):
    nothing here may depend on what was found."""
    # What was typed is not echoed back: the answer must not differ by what was found.
    form = LookupForm(initial={"reason": reason})
    answers = [
        (match, ContactNoticeForm(initial={"token": match.notice_token}, auto_id=f"n{n}_%s"))
        for n, match in enumerate(matches)
    ]
    return render(
        request,
        "consent/lookup.html",
        {
            "form": form,
            "matches": matches,
            "answers": answers,
            "part2_notice": Part2Notice.combined(match.part2_notice for match in matches),
        },
    )


# Police contact notices -------------------------------------------------------------------


def _notice_send(request: HttpRequest) -> HttpResponse:
    """A contact notice about one match of the officer's lookup, posted to the lookup's own
    address. For a person the officer's agency may not (or no longer) see, the answer is the
    lookup's "no record I can share", exactly as for someone never enrolled (same address,
    same page); nothing is recorded but the refusal."""
    req, viewer = _viewer(request)
    token = notice_token_read(viewer=viewer, token=request.POST.get("token", ""))
    target = notice_target_get(viewer=viewer, token=token) if token else None
    if token is None or target is None:
        contact_notice_refused(actor=req.user, viewer=viewer, token=token)
        reason = token.reason if token else ""
        return _lookup_answer(request, reason=reason, matches=[])
    form = ContactNoticeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact_notice_send(
                actor=req.user,
                viewer=viewer,
                target=target,
                kind=data["kind"],
                text=data["text"],
                place=data["place"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Your notice was sent to the case-management team.")
            return redirect("consent:lookup")
    return render(request, "consent/notice_send.html", {"form": form})


@capability_required(Capability.READ_CONTACT_NOTICES)
@require_GET
def notice_list_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    notices = contact_notice_list(viewer=viewer)
    return render(request, "consent/notices.html", {"notices": notices})


@capability_required(Capability.READ_CONTACT_NOTICES)
@require_POST
def notice_seen_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    notice = contact_notice_for_change(viewer=viewer, public_id=public_id)
    contact_notice_mark_seen(actor=req.user, notice=notice)
    messages.success(request, "Marked as seen.")
    return redirect("consent:notices")


@member_required
@require_GET
def disclosure_accounting_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """The participant's accounting of disclosures (42 CFR 2.25), printable."""
    _, viewer = _viewer(request)
    form = AccountingForm(request.GET or None)
    since = form.cleaned_data["since"] if form.is_bound and form.is_valid() else None
    accounting = disclosure_accounting(viewer=viewer, person_id=person_id, since=since)
    return render(request, "consent/disclosures.html", {"form": form, "accounting": accounting})
