"""The shape of what casework-support pages accept; rules across rows live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from tandem.casework.support.domains import (
    QUESTIONS,
    EmploymentStatus,
    HousingStatus,
    IncomeSource,
    Insurance,
    Moud,
)
from tandem.casework.support.models import (
    AssessmentAnswer,
    ExpenseCategory,
    Goal,
    ServiceLink,
    ServiceType,
    Step,
)
from tandem.casework.support.outcomes import MAX_COUNT_90D, Outcomes

DATE = forms.DateInput(attrs={"type": "date"})
TEXT_MAX = 4000


def _text(label: str, *, required: bool = True, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class DomainForm(forms.Form):
    """One domain of the intake: whether it was talked about, the structured questions of
    the domain (domains.QUESTIONS) and notes. Every question may stay unanswered."""

    discussed = forms.ChoiceField(
        label="Did you talk about this?",
        choices=AssessmentAnswer.Discussed.choices,
        widget=forms.RadioSelect,
        initial=AssessmentAnswer.Discussed.DISCUSSED,
    )
    notes = _text("Notes, in the participant's words where you can", required=False, rows=4)

    def __init__(self, *args: Any, domain: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        self.question_names: list[str] = []
        for question in QUESTIONS[domain]:
            name = f"q_{question.key}"
            field: forms.Field
            if question.many:
                field = forms.MultipleChoiceField(
                    label=question.label,
                    choices=question.choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.ChoiceField(
                    label=question.label,
                    choices=question.choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
            self.fields[name] = field
            self.question_names.append(name)

    def bound_questions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def answers(self) -> dict[str, object]:
        return {
            name.removeprefix("q_"): self.cleaned_data.get(name)
            for name in self.question_names
            if self.cleaned_data.get(name)
        }

    @staticmethod
    def initial_from(answer: AssessmentAnswer | None) -> dict[str, object]:
        if answer is None:
            return {}
        initial: dict[str, object] = {"discussed": answer.discussed, "notes": answer.notes}
        initial.update({f"q_{key}": value for key, value in answer.answers.items()})
        return initial


class OutcomesForm(forms.Form):
    """The measures of an outcome snapshot (the intake's baseline, or a change later)."""

    housing_status = forms.ChoiceField(
        label="Where the participant lives now", choices=HousingStatus.choices
    )
    income_benefits = forms.MultipleChoiceField(
        label="Income and benefits",
        choices=IncomeSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if not known.",
    )
    health_insurance = forms.ChoiceField(label="Health insurance", choices=Insurance.choices)
    employment = forms.ChoiceField(label="Employment", choices=EmploymentStatus.choices)
    moud = forms.ChoiceField(label="Medication for opioid use disorder", choices=Moud.choices)
    overdoses_90d = forms.IntegerField(
        label="Overdoses in the last 90 days",
        min_value=0,
        max_value=MAX_COUNT_90D,
        required=False,
        help_text="Leave empty if not known.",
    )
    ed_visits_90d = forms.IntegerField(
        label="Emergency-department visits in the last 90 days",
        min_value=0,
        max_value=MAX_COUNT_90D,
        required=False,
        help_text="Leave empty if not known.",
    )

    def outcomes(self) -> Outcomes:
        data = self.cleaned_data
        return Outcomes(
            housing_status=data["housing_status"],
            income_benefits=tuple(data.get("income_benefits") or ()),
            health_insurance=data["health_insurance"],
            employment=data["employment"],
            moud=data["moud"],
            overdoses_90d=data.get("overdoses_90d"),
            ed_visits_90d=data.get("ed_visits_90d"),
        )


class SnapshotForm(OutcomesForm):
    taken_on = forms.DateField(label="As of", widget=DATE)


class CompleteForm(forms.Form):
    on = forms.DateField(label="Intake completed on", widget=DATE)


class DeclineForm(forms.Form):
    reason = _text("What the participant said", rows=2)
    close = forms.BooleanField(
        label="Close the intake: the participant does not want to go on with LEAD now",
        required=False,
    )


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label="Area of life")
    words = _text("The goal, in the participant's own words", rows=2)

    def __init__(self, *args: Any, domains: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = domains  # type: ignore[attr-defined]


class GoalChangeForm(forms.Form):
    """Reword a goal, or move it (working on, achieved, set aside)."""

    words = _text("The goal, in the participant's own words", required=False, rows=2)
    status = forms.ChoiceField(label="Status", choices=Goal.Status.choices, required=False)


class StepForm(forms.Form):
    text = forms.CharField(label="Next step", max_length=300)
    who = forms.ChoiceField(label="Who does it", choices=Step.Who.choices)
    who_detail = forms.CharField(label="Which partner", max_length=120, required=False)
    due_on = forms.DateField(label="By (optional)", required=False, widget=DATE)


class NoteForm(forms.Form):
    text = _text("Progress note", rows=2)


class ServiceLinkForm(forms.Form):
    service_provider = forms.ChoiceField(label="Provider")
    service_type = forms.ChoiceField(label="Service")
    referred_on = forms.DateField(label="Referred on", widget=DATE)
    outcome = _text("Notes (optional)", required=False, rows=2)

    def __init__(
        self,
        *args: Any,
        providers: list[tuple[str, str]],
        service_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_provider"].choices = providers  # type: ignore[attr-defined]
        self.fields["service_type"].choices = service_types  # type: ignore[attr-defined]


class ServiceLinkUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ServiceLink.Status.choices)
    on = forms.DateField(label="On", widget=DATE)
    outcome = _text("Outcome", required=False, rows=2)


class ServiceProviderForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    service_types = forms.MultipleChoiceField(
        label="Services offered", choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    address = forms.CharField(label="Address", max_length=300, required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    notes = _text("Notes (hours, how to refer, who to ask for)", required=False, rows=2)


class FundingSourceForm(forms.Form):
    name = forms.CharField(label="Name (grant or budget line)", max_length=200)
    funder = forms.CharField(label="Funder", max_length=200, required=False)
    budget = forms.DecimalField(
        label="Budget ($)",
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    starts_on = forms.DateField(label="Period starts", widget=DATE)
    ends_on = forms.DateField(label="Period ends", widget=DATE)
    approval_threshold = forms.DecimalField(
        label="Supervisor approval above ($)",
        min_value=Decimal("0"),
        help_text="An expense above this amount waits for a supervisor.",
        max_digits=12,
        decimal_places=2,
    )


class ExpenseForm(forms.Form):
    funding_source = forms.ChoiceField(label="Paid from")
    category = forms.ChoiceField(label="For", choices=ExpenseCategory.choices)
    amount = forms.DecimalField(
        label="Amount ($)",
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    vendor = forms.CharField(label="Paid to", max_length=200)
    spent_on = forms.DateField(label="On", widget=DATE)
    description = _text("What it was (optional)", required=False, rows=2)
    receipt = forms.FileField(
        label="Receipt (photo or PDF, up to 5 MB)",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )
    overdraw_reason = _text(
        "Let it overdraw the source, because (supervisors only)", required=False, rows=2
    )

    def __init__(
        self, *args: Any, sources: list[tuple[str, str]], supervisor: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"spent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["funding_source"].choices = sources  # type: ignore[attr-defined]
        if not supervisor:
            del self.fields["overdraw_reason"]


class ExpenseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", "Approve"), ("refuse", "Refuse"), ("void", "Void"))
    )
    reason = _text("Reason", required=False, rows=2)
