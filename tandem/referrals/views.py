"""Pages of the three doors: the officer's form, the public form, the queue, one referral
and its steps, and the on-call roster. Thin: selectors scope, services decide and write."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.decisions import Capability, can
from tandem.access.errors import OutOfScope
from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest
from tandem.people.selectors import person_candidate_get
from tandem.policy.selectors import site_rules
from tandem.referrals import selectors, services
from tandem.referrals.forms import (
    DecisionForm,
    MoveForm,
    OfficerReferralForm,
    PublicReferralForm,
    ScreenForm,
    ShiftForm,
)
from tandem.referrals.models import Door, Referral
from tandem.tenancy.models import Membership, Organization, Site

DOOR_SLUGS = {
    "arrest": Door.ARREST,
    "social-contact": Door.SOCIAL_CONTACT,
    "community": Door.COMMUNITY,
}
# A person takes longer than this to fill the public form; a script does not.
PUBLIC_FORM_MIN_SECONDS = 3
PUBLIC_FORM_MAX_AGE = 6 * 60 * 60
PUBLIC_FORM_SALT = "tandem.referrals.public-form"


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


def _errors(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@member_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    if not selectors.may_open_queue(viewer):
        raise Http404("No such page.")
    queue = selectors.referral_queue(viewer=viewer, tab=request.GET.get("tab", "decide"))
    doors = [
        (slug, door.label)
        for slug, door in DOOR_SLUGS.items()
        if services.may_refer(viewer=viewer, door=door)
    ]
    return render(request, "referrals/queue.html", {"queue": queue, "doors": doors})


def _door(viewer: Viewer, slug: str) -> Door:
    door = DOOR_SLUGS.get(slug)
    if door is None or not services.may_refer(viewer=viewer, door=door):
        raise Http404("No such page.")
    return door


@member_required
@require_http_methods(["GET", "POST"])
def new_page(request: HttpRequest, door: str) -> HttpResponse:
    req, viewer = _viewer(request)
    chosen = _door(viewer, door)
    rules, _ = site_rules(viewer.site_id, timezone.localdate())
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = OfficerReferralForm(
        request.POST or None, rules=rules, initial={"occurred_at": now.replace(tzinfo=None)}
    )
    assessment = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_submit(
                actor=req.user,
                viewer=viewer,
                door=chosen,
                subject=form.subject(),
                conduct=form.conduct(),
                occurred_at=data["occurred_at"],
                location_text=data["location_text"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                observations=data.get("observations") or "",
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            if referral.status == "ineligible":
                messages.info(request, "Recorded as not eligible. Nobody was paged.")
            elif referral.handoff_requested_at is not None:
                messages.success(request, "Sent. The on-call case manager has been paged.")
            else:
                messages.success(request, "Recorded. It waits in the triage queue.")
            return redirect("referrals:detail", referral.public_id)
    if request.method == "POST" and form.is_bound and hasattr(form, "cleaned_data"):
        assessment = _preview(viewer, chosen, form)
    return render(
        request,
        "referrals/new.html",
        {"form": form, "door": chosen, "door_slug": door, "assessment": assessment},
    )


def _preview(viewer: Viewer, door: str, form: OfficerReferralForm) -> services.Assessment | None:
    """The presumptive result of what is filled in so far (fields that do not parse yet are
    left out, so the officer sees the result change as they type)."""
    data = getattr(form, "cleaned_data", {})
    if not data.get("offence"):
        return None
    return services.assess(
        site_id=viewer.site_id,
        door=door,
        subject=form.subject(),
        conduct=form.conduct(),
        on=timezone.localdate(),
    )


@member_required
@require_POST
def preview_fragment(request: HttpRequest, door: str) -> HttpResponse:
    _, viewer = _viewer(request)
    chosen = _door(viewer, door)
    rules, _ = site_rules(viewer.site_id, timezone.localdate())
    form = OfficerReferralForm(request.POST, rules=rules)
    form.is_valid()
    return render(
        request,
        "referrals/_eligibility.html",
        {"assessment": _preview(viewer, chosen, form)},
    )


@member_required
@require_GET
def detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = selectors.referral_page(viewer=viewer, public_id=public_id)
    return render(
        request,
        "referrals/detail.html",
        {
            "page": page,
            "referral": page.referral,
            "decision_form": DecisionForm(),
        },
    )


@member_required
@require_GET
def candidates_fragment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    referral, candidates = selectors.referral_candidates(viewer=viewer, public_id=public_id)
    return render(
        request,
        "referrals/_candidates.html",
        {"referral": referral, "candidates": candidates},
    )


def _referral_for_work(viewer: Viewer, public_id: uuid.UUID) -> Referral:
    if not can(viewer, Capability.WORK_REFERRALS):
        raise OutOfScope("No such page.")
    return selectors.referral_get(viewer=viewer, public_id=public_id)


@member_required
@require_http_methods(["GET", "POST"])
def screen_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    referral = _referral_for_work(viewer, public_id)
    rules, _ = site_rules(viewer.site_id, timezone.localdate())
    facts = referral.facts or {}
    initial = {
        "given_name": referral.given_name,
        "family_name": referral.family_name,
        "date_of_birth": referral.date_of_birth,
        "approximate_age": referral.approximate_age,
        "description": referral.description,
        "offence": (facts.get("offence_codes") or [""])[0],
        "substance": facts.get("substance") or "",
        "form": facts.get("form") or "",
        "quantity_grams": facts.get("quantity_grams"),
        "area": referral.area,
    }
    form = ScreenForm(request.POST or None, rules=rules, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_screen(
                actor=req.user,
                viewer=viewer,
                referral=referral,
                subject=form.subject(),
                conduct=form.conduct(),
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Screened against the policy in force.")
            return redirect("referrals:detail", referral.public_id)
    return render(request, "referrals/screen.html", {"form": form, "referral": referral})


@member_required
@require_POST
def decide_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    referral = selectors.referral_get(viewer=viewer, public_id=public_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
        return redirect("referrals:detail", referral.public_id)
    if viewer.role.value not in services.approver_roles(viewer.site_id):
        raise Http404("No such page.")
    try:
        services.referral_decide(
            actor=req.user,
            viewer=viewer,
            referral=referral,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Decision recorded.")
    return redirect("referrals:detail", referral.public_id)


@member_required
@require_POST
def handoff_action(request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    req, viewer = _viewer(request)
    referral = _referral_for_work(viewer, public_id)
    try:
        services.referral_handoff(actor=req.user, viewer=viewer, referral=referral, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:detail", referral.public_id)


@member_required
@require_POST
def move_action(request: HttpRequest, public_id: uuid.UUID, name: str) -> HttpResponse:
    req, viewer = _viewer(request)
    referral = _referral_for_work(viewer, public_id)
    form = MoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.referral_move(
            actor=req.user, viewer=viewer, referral=referral, name=name, reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:detail", referral.public_id)


@member_required
@require_POST
def link_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    referral = _referral_for_work(viewer, public_id)
    chosen = request.POST.get("person", "")
    person = None
    if chosen != "new":
        try:
            person_id = uuid.UUID(chosen)
        except ValueError:
            messages.error(request, "Choose a person, or make a new record.")
            return redirect("referrals:detail", referral.public_id)
        # The same reading of the person as the candidates fragment offered them: the
        # access decision on their identity for care coordination, audited.
        person = person_candidate_get(
            viewer=viewer,
            public_id=person_id,
            purpose=Purpose.CARE_COORDINATION,
            page="referral_link",
        )
    try:
        services.referral_link_person(
            actor=req.user, viewer=viewer, referral=referral, person=person
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:detail", referral.public_id)


@capability_required(Capability.MANAGE_ON_CALL)
@require_http_methods(["GET", "POST"])
def on_call_page(request: HttpRequest) -> HttpResponse:
    req, viewer = _viewer(request)
    members = (
        Membership.objects.filter(
            site_id=viewer.site_id,
            is_active=True,
            organization__kind=Organization.Kind.CASE_MANAGEMENT,
        )
        .select_related("user", "organization")
        .order_by("organization__name", "user__last_name")
    )
    people = [
        (
            str(m.user.public_id),
            f"{m.user.get_full_name() or m.user.get_username()} · {m.organization}",
        )
        for m in members
    ]
    form = ShiftForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        user = get_object_or_404(User, public_id=form.cleaned_data["user"])
        try:
            services.on_call_shift_add(
                actor=req.user,
                viewer=viewer,
                user=user,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "The shift is on the roster.")
            return redirect("referrals:on_call")
    shifts = selectors.on_call_roster(viewer=viewer)
    return render(request, "referrals/on_call.html", {"form": form, "shifts": shifts})


def _public_site(slug: str) -> Site:
    site = Site.objects.filter(slug=slug).first()
    if site is None or not services.community_door_open(site.pk):
        raise Http404("No such page.")
    return site


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@require_http_methods(["GET", "POST"])
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's referral form. No sign-in; rate-limited per address; a honeypot
    field and a minimum fill time turn scripts away without telling them."""
    site = _public_site(slug)
    started = signing.dumps({"site": site.slug, "at": time.time()}, salt=PUBLIC_FORM_SALT)
    form = PublicReferralForm(request.POST or None, initial={"started": started})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"] or not _filled_by_a_person(data["started"], site):
            # What a script sees is the thank-you page; nothing was stored.
            return redirect("referrals:public_thanks", site.slug)
        try:
            services.referral_submit_public(
                site=site,
                client_digest=services.public_client_digest(_client_address(request)),
                referrer_name=data["referrer_name"],
                referrer_contact=data["referrer_contact"],
                referrer_relationship=data["referrer_relationship"],
                subject=form.subject(),
                location_text=data["location_text"],
                what_happened=data["what_happened"],
            )
        except services.RateLimitedError as error:
            _errors(form, error)
            status = 429
        except ValidationError as error:
            _errors(form, error)
        else:
            return redirect("referrals:public_thanks", site.slug)
    return render(request, "referrals/public.html", {"form": form, "site": site}, status=status)


def _filled_by_a_person(token: str, site: Site) -> bool:
    try:
        started = signing.loads(token, salt=PUBLIC_FORM_SALT, max_age=PUBLIC_FORM_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(started, dict) or started.get("site") != site.slug:
        return False
    return time.time() - float(started.get("at", 0)) >= PUBLIC_FORM_MIN_SECONDS


@require_GET
def public_thanks_page(request: HttpRequest, slug: str) -> HttpResponse:
    site = _public_site(slug)
    return render(request, "referrals/public_thanks.html", {"site": site})
