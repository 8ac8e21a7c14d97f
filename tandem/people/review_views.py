"""The project manager's duplicate-review pages: the queue of likely duplicates, one pair side
by side with the merge and "not the same person" decisions, and the recent merges with their
unmerge. Every page and action answers 404 to anyone without the capability."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.access.decisions import Capability, default_purpose
from tandem.access.errors import OutOfScope
from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest
from tandem.matching.services import duplicates_scan
from tandem.people.duplicates import (
    Comparison,
    duplicate_candidate_get,
    duplicate_compare,
    duplicate_queue,
    merge_get,
    merge_list,
)
from tandem.people.forms import MergeForm, ReasonForm, UnmergeForm
from tandem.people.merging import duplicate_candidate_reject, person_merge, person_unmerge
from tandem.tenancy.models import Site


def _context(request: HttpRequest) -> tuple[AuthedRequest, Viewer, Purpose]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    purpose = default_purpose(req.viewer.role)
    if purpose is None:
        raise OutOfScope("No such page.")
    return req, req.viewer, purpose


def _survivor_choices(comparison: Comparison) -> list[tuple[str, str]]:
    return [
        (str(side.public_id), f"{side.display_name} · born {side.date_of_birth}")
        for side in (comparison.a, comparison.b)
    ]


@capability_required(Capability.REVIEW_DUPLICATES)
@require_GET
def duplicate_list_page(request: HttpRequest) -> HttpResponse:
    _, viewer, purpose = _context(request)
    rows = duplicate_queue(viewer=viewer, purpose=purpose)
    return render(request, "people/duplicates.html", {"rows": rows})


@capability_required(Capability.REVIEW_DUPLICATES)
@require_POST
def duplicates_scan_action(request: HttpRequest) -> HttpResponse:
    """Compare the site's people now (the scan also runs from `tandem duplicates_scan`)."""
    req, viewer, _ = _context(request)
    site = Site.objects.get(pk=viewer.site_id)
    open_pairs = duplicates_scan(actor=req.user, site=site)
    waiting = "1 pair is" if open_pairs == 1 else f"{open_pairs} pairs are"
    messages.success(request, f"People compared: {waiting} waiting for review.")
    return redirect("people:duplicates")


def _compare_page(
    request: HttpRequest, comparison: Comparison, form: MergeForm | None = None
) -> HttpResponse:
    if form is None:
        form = MergeForm(
            initial={"survivor": str(comparison.default_survivor)},
            choices=_survivor_choices(comparison),
        )
    return render(request, "people/compare.html", {"comparison": comparison, "form": form})


@capability_required(Capability.REVIEW_DUPLICATES)
@require_GET
def duplicate_compare_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer, purpose = _context(request)
    comparison = duplicate_compare(viewer=viewer, public_id=public_id, purpose=purpose)
    return _compare_page(request, comparison)


@capability_required(Capability.REVIEW_DUPLICATES)
@require_POST
def duplicate_merge(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer, purpose = _context(request)
    pair = duplicate_candidate_get(viewer=viewer, public_id=public_id, purpose=purpose)
    choices = [(str(person.public_id), person.display_name) for person in (pair.a, pair.b)]
    form = MergeForm(request.POST, choices=choices)
    if form.is_valid():
        keep_a = form.cleaned_data["survivor"] == str(pair.a.public_id)
        survivor, merged = (pair.a, pair.b) if keep_a else (pair.b, pair.a)
        try:
            person_merge(
                actor=req.user,
                survivor=survivor,
                merged=merged,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{merged.display_name} is now part of {survivor.display_name}. If this was "
                "wrong, undo it from the list of merges.",
            )
            return redirect("people:detail", survivor.public_id)
    comparison = duplicate_compare(viewer=viewer, public_id=public_id, purpose=purpose)
    form.fields["survivor"].choices = _survivor_choices(comparison)  # type: ignore[attr-defined]
    return _compare_page(request, comparison, form)


@capability_required(Capability.REVIEW_DUPLICATES)
@require_POST
def duplicate_reject(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer, purpose = _context(request)
    pair = duplicate_candidate_get(viewer=viewer, public_id=public_id, purpose=purpose)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        duplicate_candidate_reject(actor=req.user, candidate=pair.candidate, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{pair.a.display_name} and {pair.b.display_name} are recorded as two different "
            "people; the pair will not be proposed again.",
        )
    return redirect("people:duplicates")


@capability_required(Capability.REVIEW_DUPLICATES)
@require_GET
def merge_list_page(request: HttpRequest) -> HttpResponse:
    _, viewer, purpose = _context(request)
    rows = merge_list(viewer=viewer, purpose=purpose)
    return render(request, "people/merges.html", {"rows": rows})


@capability_required(Capability.REVIEW_DUPLICATES)
@require_POST
def person_unmerge_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer, purpose = _context(request)
    merge = merge_get(viewer=viewer, public_id=public_id)
    form = UnmergeForm(request.POST)
    if form.is_valid():
        try:
            person_unmerge(actor=req.user, merge=merge, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "The two records are separate again, exactly as before the merge."
            )
            return redirect("people:merges")
    # Back on the list, with the refusal and what was typed beside the merge it is about.
    rows = merge_list(viewer=viewer, purpose=purpose)
    return render(
        request,
        "people/merges.html",
        {"rows": rows, "failed": merge.public_id, "failed_form": form},
    )
