"""Casework pages: a participant's casework, the fast contact form, corrections, status
changes, tasks, the outreach list, the supervisor's caseloads and the timeline. Thin:
selectors scope (404 for anything out of scope), services check again and write."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.decisions import Capability, default_purpose
from tandem.access.errors import OutOfScope
from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.casework import selectors, services
from tandem.casework.contact_links import link_choices, linked_values
from tandem.casework.forms import (
    AssignForm,
    ContactForm,
    CorrectionForm,
    ExitForm,
    ReasonForm,
    ReengageForm,
    TaskForm,
)
from tandem.casework.models import Enrollment
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest

# Sent by static/js/contact-draft.js: answer in JSON (saved) or with the form and its
# errors (marked by the second header), so the script knows whether to forget the draft
# kept on the phone.
DRAFT_HEADER = "X-Tandem-Draft"
DRAFT_ERRORS_HEADER = "X-Tandem-Draft-Errors"


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


def _purpose(viewer: Viewer) -> Purpose:
    purpose = default_purpose(viewer.role)
    if purpose is None:
        raise OutOfScope("No such page.")
    return purpose


def _show_errors(form: Form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it is about (or above the form)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


def _next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _casework_url(enrollment: Enrollment) -> str:
    return reverse("casework:person", args=[enrollment.person.public_id])


@member_required
@require_GET
def person_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = selectors.casework_person_get(
        viewer=viewer, public_id=person_id, purpose=_purpose(viewer)
    )
    return render(
        request,
        "casework/person.html",
        {"page": page, "task_form": TaskForm(), "reengage_form": ReengageForm()},
    )


@capability_required(Capability.LOG_CONTACTS)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    """The fast form: kind, where, how long, save. Anything else is optional."""
    req, viewer = _viewer(request)
    enrollment = selectors.enrollment_for_work(
        viewer=viewer, public_id=enrollment_id, audit=request.method == "GET"
    )
    done_url = _next_url(request, _casework_url(enrollment))
    from_draft = request.headers.get(DRAFT_HEADER) == "1"
    links = link_choices(
        viewer=viewer, enrollment=enrollment, keep=ContactForm.posted_links(request.POST)
    )
    form = ContactForm(request.POST or None, links=links)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log(
                actor=req.user, viewer=viewer, enrollment=enrollment, data=form.contact_input()
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            message = f"Contact with {enrollment.person.display_name} logged."
            messages.success(request, message)
            if from_draft:
                return JsonResponse({"saved": True, "url": done_url})
            return redirect(done_url)
    context = {"form": form, "enrollment": enrollment, "next": done_url}
    if from_draft:
        # Nothing was saved: the phone keeps the draft and shows what to fix. (A 200 with a
        # header, not a 422, which a browser reports as an error in its console.)
        response = render(request, "casework/contact_form.html#form", context)
        response[DRAFT_ERRORS_HEADER] = "1"
        return response
    return render(request, "casework/contact_form.html", context)


@capability_required(Capability.LOG_CONTACTS)
@require_http_methods(["GET", "POST"])
def contact_correct(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    contact = selectors.contact_for_work(viewer=viewer, public_id=public_id)
    if contact.removed_at is not None:
        messages.info(request, "This contact was already corrected or removed.")
        return redirect(_casework_url(contact.enrollment))
    # The correction starts from what the contact links to; once posted, from what was sent.
    posted = request.method == "POST"
    linked = {} if posted else linked_values(contact)
    keep = ContactForm.posted_links(request.POST) if posted else linked
    form = CorrectionForm(
        request.POST or None,
        initial=ContactForm.initial_from(contact, linked),
        links=link_choices(viewer=viewer, enrollment=contact.enrollment, keep=keep),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_correct(
                actor=req.user,
                viewer=viewer,
                contact=contact,
                data=form.contact_input(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Contact corrected; the earlier version is kept.")
            return redirect(_casework_url(contact.enrollment))
    return render(
        request,
        "casework/contact_correct.html",
        {"form": form, "contact": contact, "remove_form": ReasonForm()},
    )


@capability_required(Capability.LOG_CONTACTS)
@require_POST
def contact_remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    contact = selectors.contact_for_work(viewer=viewer, public_id=public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the contact is removed.")
        return redirect("casework:contact_correct", contact.public_id)
    try:
        services.contact_remove(
            actor=req.user, viewer=viewer, contact=contact, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Contact removed; it is kept in the record as entered in error.")
    return redirect(_casework_url(contact.enrollment))


@capability_required(Capability.LOG_CONTACTS)
@require_POST
def enrollment_reengage(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    enrollment = selectors.enrollment_for_work(viewer=viewer, public_id=enrollment_id)
    form = ReengageForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.enrollment_reengage(
            actor=req.user, viewer=viewer, enrollment=enrollment, reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Active again. Everything recorded before is kept.")
    return redirect(_casework_url(enrollment))


@capability_required(Capability.LOG_CONTACTS)
@require_http_methods(["GET", "POST"])
def enrollment_exit(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    enrollment = selectors.enrollment_for_work(
        viewer=viewer, public_id=enrollment_id, audit=request.method == "GET"
    )
    rules = selectors.casework_rules(viewer.site_id, enrollment.site.today())
    allow = rules.ends_participation_for_nonparticipation
    form = ExitForm(request.POST or None, allow_nonparticipation=allow)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrollment_exit(
                actor=req.user,
                viewer=viewer,
                enrollment=enrollment,
                reason=data["reason"],
                text=data["text"],
                on=data["on"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Participation ended. The record and its history are kept.")
            return redirect("people:detail", enrollment.person.public_id)
    return render(
        request,
        "casework/exit.html",
        {"form": form, "enrollment": enrollment, "departs_from_model": allow},
    )


@capability_required(Capability.ASSIGN_CASELOADS)
@require_POST
def enrollment_assign(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    enrollment = selectors.enrollment_for_assignment(viewer=viewer, public_id=enrollment_id)
    case_managers = services.assignable_case_managers(enrollment.provider_id)
    by_id = {str(user.public_id): user for user in case_managers}
    form = AssignForm(request.POST, case_managers=[(key, "") for key in by_id])
    back = _next_url(request, reverse("casework:caseloads"))
    if not form.is_valid():
        messages.error(request, "Choose a case manager of this provider.")
        return redirect(back)
    chosen: User | None = by_id.get(form.cleaned_data["case_manager"] or "")
    try:
        services.enrollment_assign(
            actor=req.user,
            viewer=viewer,
            enrollment=enrollment,
            case_manager=chosen,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        who = chosen.get_full_name() or chosen.get_username() if chosen else "nobody"
        messages.success(request, f"{enrollment.person.display_name} is now with {who}.")
    return redirect(back)


@capability_required(Capability.LOG_CONTACTS)
@require_POST
def task_add(request: HttpRequest, enrollment_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    enrollment = selectors.enrollment_for_work(viewer=viewer, public_id=enrollment_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            services.task_add(
                actor=req.user,
                viewer=viewer,
                enrollment=enrollment,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Follow-up added.")
            return redirect(_casework_url(enrollment))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    # The page shows the form again with what was typed, and the message.
    page = selectors.casework_person_get(
        viewer=viewer, public_id=enrollment.person.public_id, purpose=_purpose(viewer)
    )
    return render(
        request,
        "casework/person.html",
        {"page": page, "task_form": form, "reengage_form": ReengageForm()},
    )


@capability_required(Capability.LOG_CONTACTS)
@require_POST
def task_done(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    task = selectors.task_for_work(viewer=viewer, public_id=public_id)
    try:
        services.task_complete(actor=req.user, viewer=viewer, task=task)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Follow-up done.")
    return redirect(_casework_url(task.enrollment))


@capability_required(Capability.VIEW_OUTREACH_LIST)
@require_GET
def outreach_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    rows = selectors.outreach_list(viewer=viewer)
    return render(request, "casework/outreach.html", {"rows": rows})


@capability_required(Capability.ASSIGN_CASELOADS)
@require_GET
def caseloads_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    wanted = request.GET.get("case_manager", "")
    try:
        case_manager_id = uuid.UUID(wanted) if wanted else None
    except ValueError:
        raise OutOfScope("No such case manager.") from None
    page = selectors.supervisor_page(viewer=viewer, case_manager_id=case_manager_id)
    return render(request, "casework/caseloads.html", {"page": page})


@member_required
@require_GET
def timeline_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = selectors.timeline_get(viewer=viewer, public_id=person_id, purpose=_purpose(viewer))
    return render(request, "casework/timeline.html", {"page": page})
