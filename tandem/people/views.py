from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.decisions import Capability, can, default_purpose
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest
from tandem.matching.core import MatchRecord, PartialDate
from tandem.matching.records import identifier_key
from tandem.matching.selectors import Candidate, person_candidates, person_search
from tandem.people.editing import EditablePerson, person_editable_get
from tandem.people.forms import (
    IdentifierAddForm,
    NameAddForm,
    PersonCreateForm,
    PersonEditForm,
    PhotoForm,
    ReasonForm,
    dob_text,
)
from tandem.people.history import person_history
from tandem.people.merging import person_survivor_get
from tandem.people.models import Person, PersonName
from tandem.people.photos import person_photo_get
from tandem.people.selectors import PersonListItem, person_get, person_list
from tandem.people.services import (
    IdentifierInput,
    NameInput,
    person_create,
    person_identifier_add,
    person_identifier_remove,
    person_name_add,
    person_name_remove,
    person_photo_clear,
    person_photo_set,
    person_update,
)


@capability_required(Capability.FIND_PEOPLE)
def people_list(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    query = request.GET.get("q", "")[:100]
    # A query is matched and ranked (names, aliases, nicknames, dates, identifiers, each
    # result saying why); without one the page lists the site's people by name.
    people: Sequence[Candidate | PersonListItem] = (
        person_search(viewer=req.viewer, query=query)
        if query.strip()
        else person_list(viewer=req.viewer)
    )
    template = "people/list.html"
    if request.headers.get("HX-Request"):
        template += "#results"
    # A status a Part 2 programme holds, shown outside it, carries the notice (42 CFR 2.32).
    notice = Part2Notice.combined(person.part2_notice for person in people)
    return render(
        request,
        template,
        {"people": people, "query": query, "people_part2_notice": notice},
    )


@member_required
def person_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer, purpose = _viewer_and_purpose(request)
    try:
        record = person_get(viewer=viewer, public_id=public_id, purpose=purpose)
    except OutOfScope:
        # A record merged into another opens the one that now stands for it, if the viewer
        # may see that one; otherwise it is as unknown as any other id.
        survivor = person_survivor_get(viewer=viewer, public_id=public_id, purpose=purpose)
        if survivor is None:
            raise
        return redirect("people:detail", survivor)
    identity = Category.IDENTITY in record.categories
    return render(
        request,
        "people/detail.html",
        {
            "record": record,
            "purpose": purpose,
            "sees_identity": identity,
            "can_edit": identity and can(viewer, Capability.EDIT_PEOPLE),
        },
    )


def _viewer_and_purpose(request: HttpRequest) -> tuple[AuthedRequest, Viewer, Purpose]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    purpose = default_purpose(req.viewer.role)
    if purpose is None:
        raise OutOfScope("No such person.")
    return req, req.viewer, purpose


def _show_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it is about (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@member_required
@require_GET
def person_history_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer, purpose = _viewer_and_purpose(request)
    try:
        history = person_history(viewer=viewer, public_id=public_id, purpose=purpose)
    except OutOfScope:
        survivor = person_survivor_get(viewer=viewer, public_id=public_id, purpose=purpose)
        if survivor is None:
            raise
        return redirect("people:history", survivor)
    return render(request, "people/history.html", {"history": history})


@member_required
@require_GET
def person_photo(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The photo, for a viewer who may see the person's identity (never a public URL)."""
    _, viewer, purpose = _viewer_and_purpose(request)
    photo = person_photo_get(viewer=viewer, public_id=public_id, purpose=purpose)
    with photo.content:
        # Streamed from the bytes, so the storage path never reaches the browser.
        return HttpResponse(photo.content.read(), content_type=photo.content_type)


# Creating a person: search before create -------------------------------------------------

CANDIDATE_LIMIT = 5
LIKELY_BANDS = frozenset({"link", "review"})


def _match_record(form: PersonCreateForm) -> MatchRecord | None:
    """What the user has typed so far, as the matcher's record; None while it is too little
    to search with. Fields that do not validate yet are left out, not refused."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    given, middle, family = (data.get(f, "") for f in ("given_name", "middle_name", "family_name"))
    preferred = data.get("preferred_name", "")
    try:
        dob = PartialDate.parse(data.get("date_of_birth", ""))
    except ValueError:
        dob = None
    kind, value = data.get("identifier_kind", ""), data.get("identifier_value", "").strip()
    identifiers = (identifier_key(kind, value),) if kind and value else ()
    others = []
    if data.get("alias_given_name") or data.get("alias_family_name"):
        others.append((data.get("alias_given_name", ""), data.get("alias_family_name", "")))
    if preferred and preferred != given:
        others.append((preferred, family))
    named = len(f"{given}{family}{preferred}".strip()) >= 2 or others
    if not (named or dob or identifiers):
        return None
    sex = data.get("sex", "")
    return MatchRecord(
        id="new",
        given_name=given,
        middle_name=middle,
        surname=family,
        dob=dob,
        sex="" if sex == Person.Sex.UNKNOWN else sex,
        identifiers=identifiers,
        other_names=tuple(others),
    )


def _likely(candidates: list[Candidate]) -> bool:
    """Whether any candidate is close enough that creating a new person needs confirming."""
    return any(candidate.band in LIKELY_BANDS for candidate in candidates)


def _candidates(viewer: Viewer, form: PersonCreateForm) -> tuple[bool, list[Candidate]]:
    record = _match_record(form)
    if record is None:
        return False, []
    return True, person_candidates(viewer=viewer, record=record, limit=CANDIDATE_LIMIT)


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_create_candidates(request: HttpRequest) -> HttpResponse:
    """The candidates panel of the create page, refreshed as the user types (htmx). POST,
    so that names and dates of birth never end up in an address or a server log."""
    _, viewer, _ = _viewer_and_purpose(request)
    form = PersonCreateForm(request.POST, site_id=viewer.site_id)
    form.is_valid()
    searched, candidates = _candidates(viewer, form)
    return render(
        request,
        "people/create.html#candidates",
        {
            "form": form,
            "candidates": candidates,
            "candidates_part2_notice": Part2Notice.combined(c.part2_notice for c in candidates),
            "searched": searched,
            "likely": _likely(candidates),
        },
    )


@capability_required(Capability.EDIT_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_create_page(request: HttpRequest) -> HttpResponse:
    req, viewer, _ = _viewer_and_purpose(request)
    posted = request.method == "POST"
    form = PersonCreateForm(
        request.POST if posted else None,
        site_id=viewer.site_id,
        candidates_url=reverse("people:create_candidates"),
    )
    searched, candidates = False, list[Candidate]()
    if posted:
        valid = form.is_valid()
        searched, candidates = _candidates(viewer, form)
        if valid and _likely(candidates) and not form.cleaned_data["confirm_new"]:
            form.add_error(
                "confirm_new",
                "This may be someone already recorded: open one of the people listed, or "
                "tick “None of these” to create a new person.",
            )
        elif valid:
            try:
                person = _create(req, form)
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, f"{person.display_name} was recorded.")
                return redirect("people:detail", person.public_id)
    return render(
        request,
        "people/create.html",
        {
            "form": form,
            "candidates": candidates,
            "candidates_part2_notice": Part2Notice.combined(c.part2_notice for c in candidates),
            "searched": searched,
            "likely": _likely(candidates),
        },
    )


def _create(req: AuthedRequest, form: PersonCreateForm) -> Person:
    assert req.membership is not None
    data = form.cleaned_data
    names = []
    if data["alias_given_name"] or data["alias_family_name"]:
        names.append(
            NameInput(
                data["alias_kind"] or PersonName.Kind.ALIAS,
                data["alias_given_name"],
                data["alias_family_name"],
            )
        )
    identifiers = []
    if data["identifier_kind"] and data["identifier_value"]:
        identifiers.append(
            IdentifierInput(
                data["identifier_kind"], data["identifier_value"], data["identifier_issuer"]
            )
        )
    return person_create(
        actor=req.user,
        site=req.membership.site,
        names=names,
        identifiers=identifiers,
        **form.person_fields(),
    )


# Editing a person ------------------------------------------------------------------------


def _editable(request: HttpRequest, public_id: uuid.UUID) -> tuple[AuthedRequest, EditablePerson]:
    req, viewer, purpose = _viewer_and_purpose(request)
    return req, person_editable_get(viewer=viewer, public_id=public_id, purpose=purpose)


def _edit_url(public_id: uuid.UUID, section: str = "") -> str:
    url = reverse("people:edit", args=[public_id])
    return f"{url}#{section}" if section else url


def _edit_page(
    request: HttpRequest,
    editable: EditablePerson,
    *,
    form: PersonEditForm | None = None,
    name_form: NameAddForm | None = None,
    identifier_form: IdentifierAddForm | None = None,
    photo_form: PhotoForm | None = None,
) -> HttpResponse:
    person = editable.person
    if form is None:
        initial = {
            field: getattr(person, field)
            for field in (
                "given_name",
                "middle_name",
                "family_name",
                "preferred_name",
                "sex",
                "description",
                "race",
                "ethnicity",
                "gender",
            )
        }
        initial["date_of_birth"] = dob_text(person)
        form = PersonEditForm(initial=initial, demographics=editable.demographics)
    return render(
        request,
        "people/edit.html",
        {
            "editable": editable,
            "person": person,
            "form": form,
            "name_form": name_form or NameAddForm(),
            "identifier_form": identifier_form or IdentifierAddForm(site_id=person.site_id),
            "photo_form": photo_form or PhotoForm(),
        },
    )


@capability_required(Capability.EDIT_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, editable = _editable(request, public_id)
    if request.method != "POST":
        return _edit_page(request, editable)
    form = PersonEditForm(request.POST, demographics=editable.demographics)
    if form.is_valid():
        try:
            saved = person_update(
                actor=req.user,
                person=editable.person,
                reason=form.cleaned_data["reason"],
                **form.person_fields(),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            changed = saved.updated_at != editable.person.updated_at
            messages.success(request, "Saved." if changed else "Nothing was changed.")
            return redirect("people:detail", public_id)
    return _edit_page(request, editable, form=form)


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_name_add_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, editable = _editable(request, public_id)
    form = NameAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person_name_add(
                actor=req.user,
                person=editable.person,
                kind=data["kind"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Name added.")
            return redirect(_edit_url(public_id, "names"))
    return _edit_page(request, editable, name_form=form)


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_name_remove_view(
    request: HttpRequest, public_id: uuid.UUID, name_id: uuid.UUID
) -> HttpResponse:
    req, editable = _editable(request, public_id)
    name = next((n for n in editable.names if n.public_id == name_id), None)
    if name is None:
        raise Http404("No such name.")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        person_name_remove(actor=req.user, name=name, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{name}” was removed; the record's history keeps it.")
    return redirect(_edit_url(public_id, "names"))


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_identifier_add_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, editable = _editable(request, public_id)
    form = IdentifierAddForm(request.POST, site_id=editable.person.site_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person_identifier_add(
                actor=req.user,
                person=editable.person,
                kind=data["kind"],
                value=data["value"],
                issuer=data["issuer"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Identifier added.")
            return redirect(_edit_url(public_id, "identifiers"))
    return _edit_page(request, editable, identifier_form=form)


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_identifier_remove_view(
    request: HttpRequest, public_id: uuid.UUID, identifier_id: uuid.UUID
) -> HttpResponse:
    req, editable = _editable(request, public_id)
    identifier = next((i for i in editable.identifiers if i.public_id == identifier_id), None)
    if identifier is None:
        raise Http404("No such identifier.")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        person_identifier_remove(actor=req.user, identifier=identifier, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{identifier} was removed; the record's history keeps it.")
    return redirect(_edit_url(public_id, "identifiers"))


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_photo_upload(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, editable = _editable(request, public_id)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            person_photo_set(
                actor=req.user,
                person=editable.person,
                photo=form.cleaned_data["photo"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error("photo", error)
        else:
            messages.success(request, "Photo saved.")
            return redirect(_edit_url(public_id, "photo"))
    return _edit_page(request, editable, photo_form=form)


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def person_photo_clear_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, editable = _editable(request, public_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        person_photo_clear(actor=req.user, person=editable.person, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The photo is no longer shown; the record's history keeps it.")
    return redirect(_edit_url(public_id, "photo"))
