"""Pages of casework support: the intake, the plan, services, flexible funds and outcome
snapshots. Thin: selectors scope and decide, services write. Bad input re-renders the page
with the message beside what was typed; anything out of scope answers 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.access.decisions import Capability, can
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.disclosures import PART2_HEADER, PART2_SHORT_STATEMENT
from tandem.casework.support import selectors, services
from tandem.casework.support.domains import Domain
from tandem.casework.support.forms import (
    CompleteForm,
    DeclineForm,
    DomainForm,
    ExpenseDecisionForm,
    ExpenseForm,
    FundingSourceForm,
    GoalChangeForm,
    GoalForm,
    NoteForm,
    OutcomesForm,
    ServiceLinkForm,
    ServiceLinkUpdateForm,
    ServiceProviderForm,
    SnapshotForm,
    StepForm,
)
from tandem.casework.support.models import Goal
from tandem.casework.support.outcomes import Outcomes
from tandem.casework.support.selectors.intake import (
    BASELINE_STEP,
    RELEASE_STEP,
    STEP_LABELS,
    STEPS,
    step_neighbours,
)
from tandem.consent.forms import ConsentForm
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest
from tandem.tenancy.models import Organization


def _viewer(request: HttpRequest) -> tuple[AuthedRequest, Viewer]:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    return req, req.viewer


def _errors(form: Form, error: ValidationError) -> None:
    """Put a service's refusal beside the field it is about (or at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _step_url(referral_id: uuid.UUID, slug: str | None) -> str:
    if slug is None:
        return reverse("casework_support:intake", args=[referral_id])
    if slug == RELEASE_STEP:
        return reverse("casework_support:intake_release", args=[referral_id])
    if slug == BASELINE_STEP:
        return reverse("casework_support:intake_baseline", args=[referral_id])
    return reverse("casework_support:intake_domain", args=[referral_id, slug])


# The intake ------------------------------------------------------------------------------


@member_required
@require_GET
def intake_page(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = selectors.intake_page(viewer=viewer, referral_id=referral_id)
    return render(
        request,
        "casework_support/intake.html",
        {
            "page": page,
            "referral": page.context.referral,
            "assessment": page.context.assessment,
            "draft": page.context.draft,
            "person": page.context.participant.header() if page.context.participant else None,
            "complete_form": CompleteForm(initial={"on": page.today}),
            "decline_form": DeclineForm(),
        },
    )


@member_required
@require_POST
def intake_start_action(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    context = selectors.intake_for_change(viewer=viewer, referral_id=referral_id)
    try:
        services.intake_start(actor=req.user, viewer=viewer, referral=context.referral)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casework_support:intake", referral_id)
    return redirect(_step_url(referral_id, Domain.HOUSING))


def _draft_or_404(viewer: Viewer, referral_id: uuid.UUID) -> Any:
    context = selectors.intake_for_change(viewer=viewer, referral_id=referral_id)
    if context.draft is None:
        raise OutOfScope("No such intake.")
    return context.draft


@member_required
@require_http_methods(["GET", "POST"])
def intake_domain_page(request: HttpRequest, referral_id: uuid.UUID, domain: str) -> HttpResponse:
    req, viewer = _viewer(request)
    if request.method == "POST":
        # 404 unless the viewer may see (and so record) this domain's own category.
        draft = selectors.intake_domain_for_change(
            viewer=viewer, referral_id=referral_id, domain=domain
        )
        form = DomainForm(request.POST, domain=domain)
        if form.is_valid():
            try:
                services.intake_answer_save(
                    actor=req.user,
                    viewer=viewer,
                    assessment=draft,
                    domain=domain,
                    discussed=form.cleaned_data["discussed"],
                    answers=form.answers(),
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                target = request.POST.get("go")
                _, previous, following = step_neighbours(domain)
                chosen = previous if target == "back" else following
                messages.success(request, f"{STEP_LABELS[domain]}: saved.")
                return redirect(_step_url(referral_id, None if target == "overview" else chosen))
    step = selectors.intake_domain_step(viewer=viewer, referral_id=referral_id, domain=domain)
    if request.method != "POST":
        form = DomainForm(domain=domain, initial=DomainForm.initial_from(step.current))
    return render(
        request,
        "casework_support/intake_domain.html",
        {"step": step, "form": form, "referral": step.context.referral, "total": len(STEPS)},
        status=400 if request.method == "POST" else 200,
    )


def _consent_form(step: Any, data: Any = None, files: Any = None) -> ConsentForm:
    return ConsentForm(
        data,
        files,
        recipients=step.recipients,
        part2=step.recorder.is_part2_program,
        today=timezone.localdate(),
        term_days=step.draft.site.consent_term_days,
    )


@member_required
@require_http_methods(["GET", "POST"])
def intake_release_page(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """The release of information, recorded here with the consent app's own form and
    service: the consent pages open only once the provider holds the participant, and the
    release comes before that (DOMAIN.md §5)."""
    req, viewer = _viewer(request)
    step = selectors.intake_release_step(viewer=viewer, referral_id=referral_id)
    form = _consent_form(step, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.intake_release_record(
                actor=req.user,
                viewer=viewer,
                assessment=step.draft,
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
            _errors(form, error)
        else:
            messages.success(request, "The release of information is recorded.")
            return redirect(_step_url(referral_id, step.following))
    return render(
        request,
        "casework_support/intake_release.html",
        {
            "step": step,
            "form": form,
            "decline_form": DeclineForm(),
            "referral": step.context.referral,
            "total": len(STEPS),
        },
    )


@member_required
@require_POST
def intake_declined_action(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    draft = _draft_or_404(viewer, referral_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.intake_release_declined(
                actor=req.user,
                viewer=viewer,
                assessment=draft,
                reason=form.cleaned_data["reason"],
                close=form.cleaned_data["close"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            if form.cleaned_data["close"]:
                messages.info(
                    request, "The intake is closed; the referral says the person declined."
                )
                return redirect("referrals:detail", referral_id)
            messages.info(
                request,
                "Recorded that the participant declined to sign. The intake waits: it cannot "
                "be completed without a release.",
            )
            return redirect("casework_support:intake", referral_id)
    step = selectors.intake_release_step(viewer=viewer, referral_id=referral_id)
    return render(
        request,
        "casework_support/intake_release.html",
        {
            "step": step,
            "form": _consent_form(step),
            "decline_form": form,
            "referral": step.context.referral,
            "total": len(STEPS),
        },
        status=400,
    )


@member_required
@require_http_methods(["GET", "POST"])
def intake_baseline_page(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    step = selectors.intake_baseline_step(viewer=viewer, referral_id=referral_id)
    if request.method == "POST":
        form = OutcomesForm(request.POST)
        if form.is_valid():
            try:
                services.intake_baseline_save(
                    actor=req.user, viewer=viewer, assessment=step.draft, outcomes=form.outcomes()
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "Outcomes today: saved.")
                if request.POST.get("go") == "back":
                    return redirect(_step_url(referral_id, step.previous))
                return redirect("casework_support:intake", referral_id)
    else:
        form = OutcomesForm(initial=step.draft.baseline or step.suggested)
    return render(
        request,
        "casework_support/intake_baseline.html",
        {"step": step, "form": form, "referral": step.context.referral, "total": len(STEPS)},
    )


@member_required
@require_POST
def intake_complete_action(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    draft = _draft_or_404(viewer, referral_id)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the intake was completed.")
        return redirect("casework_support:intake", referral_id)
    try:
        services.intake_complete(
            actor=req.user, viewer=viewer, assessment=draft, on=form.cleaned_data["on"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("casework_support:intake", referral_id)
    messages.success(
        request, "The intake is complete: the participant is enrolled and on your caseload."
    )
    return redirect("casework_support:plan", draft.person.public_id)


@member_required
@require_GET
def assessment_detail_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, viewer = _viewer(request)
    page = selectors.assessment_page(viewer=viewer, public_id=public_id)
    return render(request, "casework_support/assessment.html", {"page": page})


# The plan --------------------------------------------------------------------------------


def _render_plan(
    request: HttpRequest,
    viewer: Viewer,
    person_id: uuid.UUID,
    *,
    goal_form: GoalForm | None = None,
    failed: tuple[uuid.UUID, str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.plan_page(viewer=viewer, person_id=person_id)
    cards: list[dict[str, Any]] = []
    for goal in page.goals:
        forms: dict[str, Form] = {
            "change": GoalChangeForm(
                initial={"words": goal.words, "status": goal.status},
                auto_id=f"g{goal.public_id.hex[:8]}_%s",
            ),
            "step": StepForm(auto_id=f"s{goal.public_id.hex[:8]}_%s"),
            "note": NoteForm(auto_id=f"n{goal.public_id.hex[:8]}_%s"),
        }
        if failed is not None and failed[0] == goal.public_id:
            forms[failed[1]] = failed[2]
        cards.append({"goal": goal, **forms})
    template = "casework_support/plan.html"
    context: dict[str, Any] = {
        "page": page,
        "person": page.person,
        "cards": cards,
        "goal_form": goal_form or GoalForm(domains=page.domains),
    }
    card = next((c for c in cards if failed and c["goal"].public_id == failed[0]), None)
    if request.headers.get("HX-Request") and card is not None:
        # Only the goal's card is swapped in; the page was built (and access checked) whole.
        context["card"] = card
        template += "#goal"
    return render(request, template, context, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    if request.method == "GET":
        return _render_plan(request, viewer, person_id)
    participant = selectors.participant_for(
        viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="plan"
    )
    if not participant.may_write:
        raise OutOfScope("No such page.")
    form = GoalForm(request.POST, domains=list(Domain.choices))
    if form.is_valid():
        try:
            services.goal_add(
                actor=req.user,
                viewer=viewer,
                person=participant.person,
                domain=form.cleaned_data["domain"],
                words=form.cleaned_data["words"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "The goal is on the plan.")
            return redirect("casework_support:plan", person_id)
    return _render_plan(request, viewer, person_id, goal_form=form, status=400)


def _after_goal_action(
    request: HttpRequest, viewer: Viewer, person_id: uuid.UUID, goal_id: uuid.UUID
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _render_plan(request, viewer, person_id, failed=(goal_id, "none", Form()))
    return redirect("casework_support:plan", person_id)


def _goal_form_action(
    request: HttpRequest,
    public_id: uuid.UUID,
    form_class: type[Form],
    kind: str,
    prefix: str,
    write: Callable[[User, Viewer, Goal, dict[str, Any]], object],
) -> HttpResponse:
    """A change to one goal from the plan page: the goal in the viewer's scope (else 404),
    the form checked, the service called; a refusal shows the plan again with the goal's
    form as typed and its message."""
    req, viewer = _viewer(request)
    goal, participant = selectors.goal_for_change(viewer=viewer, public_id=public_id)
    form = form_class(request.POST, auto_id=f"{prefix}{public_id.hex[:8]}_%s")
    if form.is_valid():
        try:
            write(req.user, viewer, goal, form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            return _after_goal_action(request, viewer, participant.public_id, public_id)
    return _render_plan(
        request, viewer, participant.public_id, failed=(public_id, kind, form), status=400
    )


def _change_goal(actor: User, viewer: Viewer, goal: Goal, data: dict[str, Any]) -> None:
    words, status = data["words"], data["status"]
    if words and words.strip() != goal.words:
        goal = services.goal_reword(actor=actor, viewer=viewer, goal=goal, words=words)
    if status and status != goal.status:
        services.goal_set_status(actor=actor, viewer=viewer, goal=goal, status=status)


@member_required
@require_POST
def goal_change_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _goal_form_action(request, public_id, GoalChangeForm, "change", "g", _change_goal)


@member_required
@require_POST
def step_add_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _goal_form_action(
        request,
        public_id,
        StepForm,
        "step",
        "s",
        lambda actor, viewer, goal, data: services.step_add(
            actor=actor,
            viewer=viewer,
            goal=goal,
            text=data["text"],
            who=data["who"],
            who_detail=data["who_detail"],
            due_on=data["due_on"],
        ),
    )


@member_required
@require_POST
def note_add_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _goal_form_action(
        request,
        public_id,
        NoteForm,
        "note",
        "n",
        lambda actor, viewer, goal, data: services.progress_note_add(
            actor=actor, viewer=viewer, goal=goal, text=data["text"]
        ),
    )


@member_required
@require_POST
def step_done_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    step, participant = selectors.step_for_change(viewer=viewer, public_id=public_id)
    try:
        services.step_done(actor=req.user, viewer=viewer, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _after_goal_action(request, viewer, participant.public_id, step.goal.public_id)


# Services --------------------------------------------------------------------------------


def _link_form(page: Any, data: Any = None) -> ServiceLinkForm:
    return ServiceLinkForm(
        data,
        providers=[(str(p.public_id), p.name) for p in page.providers],
        service_types=page.service_types,
        initial={"referred_on": timezone.localdate()},
    )


@member_required
@require_http_methods(["GET", "POST"])
def services_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    page = selectors.services_page(viewer=viewer, person_id=person_id)
    status = 200
    if request.method == "POST":
        if not page.person.may_write:
            raise OutOfScope("No such page.")
        form = _link_form(page, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            provider = selectors.directory_provider_for_link(
                viewer=viewer, public_id=uuid.UUID(data["service_provider"])
            )
            participant = selectors.participant_for(
                viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="services"
            )
            try:
                services.service_link_add(
                    actor=req.user,
                    viewer=viewer,
                    person=participant.person,
                    service_provider=provider,
                    service_type=data["service_type"],
                    referred_on=data["referred_on"],
                    outcome=data["outcome"],
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "The referral to the service is recorded.")
                return redirect("casework_support:services", person_id)
        status = 400
    else:
        form = _link_form(page)
    updates = {
        link.public_id: ServiceLinkUpdateForm(
            initial={"status": link.status, "on": timezone.localdate()},
            auto_id=f"l{link.public_id.hex[:8]}_%s",
        )
        for link in page.links
    }
    return render(
        request,
        "casework_support/services.html",
        {
            "page": page,
            "person": page.person,
            "form": form,
            "rows": [(link, updates[link.public_id]) for link in page.links],
        },
        status=status,
    )


@member_required
@require_POST
def link_update_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    link, participant = selectors.link_for_change(viewer=viewer, public_id=public_id)
    form = ServiceLinkUpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.service_link_update(
                actor=req.user,
                viewer=viewer,
                link=link,
                status=data["status"],
                on=data["on"],
                outcome=data["outcome"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The service link is updated.")
    else:
        messages.error(request, "Choose a status and a date.")
    return redirect("casework_support:services", participant.public_id)


@capability_required(Capability.VIEW_SERVICE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def providers_page(request: HttpRequest) -> HttpResponse:
    req, viewer = _viewer(request)
    may_edit = can(viewer, Capability.EDIT_SERVICE_DIRECTORY)
    form = ServiceProviderForm(request.POST or None) if may_edit else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                services.service_provider_add(
                    actor=req.user,
                    viewer=viewer,
                    site=Organization.objects.get(pk=viewer.organization_id).site,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "The provider is in the directory.")
                return redirect("casework_support:providers")
        status = 400
    providers = selectors.service_directory(viewer=viewer)
    return render(
        request,
        "casework_support/providers.html",
        {"providers": providers, "form": form},
        status=status,
    )


# Flexible funds --------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def expenses_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    page = selectors.expenses_page(viewer=viewer, person_id=person_id)
    supervisor = can(viewer, Capability.MANAGE_FUNDS)
    sources = [(str(s.public_id), s.label) for s in page.sources if s.is_active]
    status = 200
    if request.method == "POST":
        if not page.person.may_write:
            raise OutOfScope("No such page.")
        form = ExpenseForm(request.POST, request.FILES, sources=sources, supervisor=supervisor)
        if form.is_valid():
            data = form.cleaned_data
            source = selectors.source_for_expense(
                viewer=viewer, public_id=uuid.UUID(data["funding_source"])
            )
            participant = selectors.participant_for(
                viewer=viewer, person_id=person_id, needs=Category.FINANCIAL, page="expenses"
            )
            try:
                expense = services.expense_record(
                    actor=req.user,
                    viewer=viewer,
                    person=participant.person,
                    funding_source=source,
                    category=data["category"],
                    amount=data["amount"],
                    vendor=data["vendor"],
                    spent_on=data["spent_on"],
                    description=data["description"],
                    receipt=data.get("receipt"),
                    overdraw_reason=data.get("overdraw_reason") or "",
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                if expense.status == expense.Status.PENDING:
                    messages.info(
                        request, "Recorded. It is above the approval amount: a supervisor decides."
                    )
                else:
                    messages.success(request, "The expense is recorded.")
                return redirect("casework_support:expenses", person_id)
        status = 400
    else:
        form = ExpenseForm(sources=sources, supervisor=supervisor)
    return render(
        request,
        "casework_support/expenses.html",
        {
            "page": page,
            "person": page.person,
            "form": form,
        },
        status=status,
    )


@member_required
@require_GET
def receipt_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The receipt file, for a viewer who may see the participant's expenses. Sent as a
    download (a PDF or an image never runs in Tandem's origin) and never cached."""
    _, viewer = _viewer(request)
    receipt = selectors.receipt_get(viewer=viewer, public_id=public_id)
    with receipt.content:
        response = HttpResponse(receipt.content.read(), content_type=receipt.content_type)
    suffix = receipt.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    response["Content-Disposition"] = f'attachment; filename="receipt.{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if receipt.part2_notice is not None:
        response[PART2_HEADER] = PART2_SHORT_STATEMENT
    return response


@member_required
@require_POST
def expense_decide_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    expense = selectors.expense_for_supervisor(viewer=viewer, public_id=public_id)
    form = ExpenseDecisionForm(request.POST)
    back = request.POST.get("back") == "approvals"
    if not form.is_valid():
        messages.error(request, "Choose approve, refuse or void.")
    else:
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == "void":
                services.expense_void(actor=req.user, viewer=viewer, expense=expense, reason=reason)
            else:
                services.expense_decide(
                    actor=req.user,
                    viewer=viewer,
                    expense=expense,
                    approve=decision == "approve",
                    reason=reason,
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded.")
    if back:
        return redirect("casework_support:approvals")
    return redirect("casework_support:expenses", expense.person.public_id)


@capability_required(Capability.WRITE_CASEWORK)
@require_http_methods(["GET", "POST"])
def funds_page(request: HttpRequest) -> HttpResponse:
    req, viewer = _viewer(request)
    may_manage = can(viewer, Capability.MANAGE_FUNDS)
    form = FundingSourceForm(request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                services.funding_source_add(
                    actor=req.user,
                    viewer=viewer,
                    organization=Organization.objects.get(pk=viewer.organization_id),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "The funding source is added.")
                return redirect("casework_support:funds")
        status = 400
    sources = selectors.funding_sources(viewer=viewer)
    return render(
        request,
        "casework_support/funds.html",
        {"sources": sources, "form": form},
        status=status,
    )


@capability_required(Capability.MANAGE_FUNDS)
@require_GET
def approvals_page(request: HttpRequest) -> HttpResponse:
    _, viewer = _viewer(request)
    rows = selectors.approval_queue(viewer=viewer)
    return render(
        request,
        "casework_support/approvals.html",
        {"rows": rows, "decision_form": ExpenseDecisionForm()},
    )


# Outcome snapshots -----------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def outcomes_page(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    req, viewer = _viewer(request)
    page = selectors.outcomes_page(viewer=viewer, person_id=person_id)
    status = 200
    if request.method == "POST":
        if not page.person.may_write:
            raise OutOfScope("No such page.")
        form = SnapshotForm(request.POST)
        if form.is_valid():
            participant = selectors.participant_for(
                viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="outcomes"
            )
            try:
                services.snapshot_record(
                    actor=req.user,
                    viewer=viewer,
                    person=participant.person,
                    outcomes=form.outcomes(),
                    taken_on=form.cleaned_data["taken_on"],
                )
            except services.NothingChangedError as error:
                messages.info(request, " ".join(error.messages))
                return redirect("casework_support:outcomes", person_id)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "The new snapshot is recorded.")
                return redirect("casework_support:outcomes", person_id)
        status = 400
    else:
        initial: dict[str, Any] = {"taken_on": timezone.localdate()}
        if page.latest_outcomes is not None:
            initial.update(_initial_outcomes(page.latest_outcomes))
        form = SnapshotForm(initial=initial)
    return render(
        request,
        "casework_support/outcomes.html",
        {"page": page, "person": page.person, "form": form},
        status=status,
    )


def _initial_outcomes(outcomes: Outcomes) -> dict[str, Any]:
    return outcomes.to_dict()
