"""The form for a new policy version: lists as lines of text, roles as checkboxes, the
numbers and the flags, and the PCG decision. The shape is checked here; the rules across
versions (dates, numbering) in the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from tandem.access.roles import Role
from tandem.policy.lines import (
    LinesError,
    areas_text,
    history_text,
    offences_text,
    parse_areas,
    parse_history,
    parse_offences,
    parse_quantity_limits,
    quantity_limits_text,
)
from tandem.policy.rules import COMMUNITY_REFERRER, Door, PolicyRules
from tandem.policy.wording import DEPARTURE

ROLE_CHOICES = [(role.value, role.label) for role in Role]
COMMUNITY_CHOICES = [(COMMUNITY_REFERRER, "Anyone, through the public referral form")]
FLAG_NAMES = [
    "exclude_dealing_for_profit",
    "exclude_active_supervision",
    "exclude_treatment_court",
    "check_protective_orders",
    "complainant_consent_required",
    "exclude_confidential_informants",
]
NUMBER_NAMES = [
    "intake_deadline_days",
    "intake_reminder_days",
    "handoff_target_minutes",
    "caseload_warn",
    "caseload_cap",
    "inactivity_days",
]


def _lines(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=20_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )


def _roles(label: str, choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _number(label: str, lowest: int, highest: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=lowest, max_value=highest, help_text=help_text)


class PolicyVersionForm(forms.Form):
    eligible_offences = _lines(
        "Eligible offences",
        "One per line: code | label | category, e.g. “RCW 69.50.4013 | Possession of a "
        "controlled substance | drug”. The category “drug” brings in the quantity limits "
        "and the dealing exclusion.",
    )
    quantity_limits = _lines(
        "Drug quantity limits",
        "One per line: substance | form | most grams allowed, e.g. “heroin | powder | 3”. "
        "More than that is excluded; exactly that is eligible. Form “any” covers every form; "
        "a substance or form not listed has no limit.",
    )
    exclude_dealing_for_profit = forms.BooleanField(
        label="Exclude dealing drugs for profit (subsistence sales stay eligible)",
        required=False,
    )
    minimum_age = forms.IntegerField(
        label="Minimum age",
        min_value=1,
        max_value=120,
        required=False,
        help_text="Leave empty for no age rule.",
    )
    disqualifying_history = _lines(
        "Disqualifying history",
        "One per line: category | label | look-back in years, e.g. “burglary | Burglary | "
        "10”. 0 years means at any time.",
    )
    exclude_active_supervision = forms.BooleanField(
        label="Exclude people on probation, parole or other active supervision", required=False
    )
    exclude_treatment_court = forms.BooleanField(
        label="Exclude people in a treatment court", required=False
    )
    check_protective_orders = forms.BooleanField(
        label="Exclude people named in a protective order or with a no-contact order with a "
        "current participant",
        required=False,
    )
    catchment_areas = _lines(
        "Catchment areas", "One per line. Leave empty to take referrals from anywhere."
    )
    complainant_consent_required = forms.BooleanField(
        label="The complainant must agree to diversion (every door)", required=False
    )
    exclude_confidential_informants = forms.BooleanField(
        label="Exclude confidential informants", required=False
    )
    referrers_arrest = _roles(
        "Who may refer by arrest diversion (none: the door is closed)", ROLE_CHOICES
    )
    referrers_social_contact = _roles(
        "Who may refer by social contact (none: the door is closed)", ROLE_CHOICES
    )
    referrers_community = _roles(
        "Who may make a community referral (none: the door is closed)",
        COMMUNITY_CHOICES + ROLE_CHOICES,
    )
    approver_roles = _roles("Who approves referrals", ROLE_CHOICES)
    intake_deadline_days = _number("Intake deadline (days after the referral)", 1, 365)
    intake_reminder_days = _number("Remind the case manager (days before the deadline)", 0, 365)
    handoff_target_minutes = _number(
        "Hand-off target (minutes)", 1, 24 * 60, "The LEAD model aims for 30 minutes."
    )
    caseload_warn = _number(
        "Caseload warning",
        1,
        200,
        "Caseloads of this size or more are flagged. The LEAD model: typically 12 to 15, "
        "up to 20 on average.",
    )
    caseload_cap = _number("Caseload cap", 1, 200, "The LEAD model: never more than 25.")
    inactivity_days = _number("Inactive after (days without substantive contact)", 1, 3650)
    ends_participation_for_nonparticipation = forms.BooleanField(
        label="End participation for non-participation", required=False, help_text=DEPARTURE
    )
    effective_from = forms.DateField(
        label="In force from", widget=forms.DateInput(attrs={"type": "date"})
    )
    pcg_decided_on = forms.DateField(
        label="Date of the PCG decision", widget=forms.DateInput(attrs={"type": "date"})
    )
    pcg_reference = forms.CharField(
        label="PCG decision reference",
        max_length=300,
        help_text="E.g. “PCG minutes 2026-03-04, item 5”.",
    )
    pcg_document = forms.FileField(
        label="PCG decision document (PDF, optional, at most 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    LINE_FIELDS = {
        "eligible_offences": parse_offences,
        "quantity_limits": parse_quantity_limits,
        "disqualifying_history": parse_history,
        "catchment_areas": parse_areas,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules: PolicyRules | None = None

    @staticmethod
    def initial_from(rules: PolicyRules, *, effective_from: date) -> dict[str, Any]:
        """What the form starts from: `rules` written out as the form writes them."""
        initial: dict[str, Any] = {
            "eligible_offences": offences_text(rules),
            "quantity_limits": quantity_limits_text(rules),
            "disqualifying_history": history_text(rules),
            "catchment_areas": areas_text(rules),
            "minimum_age": rules.minimum_age,
            "approver_roles": list(rules.approver_roles),
            "ends_participation_for_nonparticipation": (
                rules.ends_participation_for_nonparticipation
            ),
            "effective_from": effective_from,
        }
        for door in Door:
            initial[f"referrers_{door.value}"] = list(rules.referrers.get(door.value, ()))
        for name in FLAG_NAMES + NUMBER_NAMES:
            initial[name] = getattr(rules, name)
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        parsed: dict[str, Any] = {}
        for name, parse in self.LINE_FIELDS.items():
            if name not in data:
                continue
            try:
                parsed[name] = parse(data[name] or "")
            except LinesError as error:
                self.add_error(name, error.messages)
        if self.errors:
            return data
        try:
            self.rules = PolicyRules(
                eligible_offences=parsed["eligible_offences"],
                quantity_limits=parsed["quantity_limits"],
                exclude_dealing_for_profit=data["exclude_dealing_for_profit"],
                minimum_age=data["minimum_age"],
                disqualifying_history=parsed["disqualifying_history"],
                exclude_active_supervision=data["exclude_active_supervision"],
                exclude_treatment_court=data["exclude_treatment_court"],
                check_protective_orders=data["check_protective_orders"],
                catchment_areas=parsed["catchment_areas"],
                complainant_consent_required=data["complainant_consent_required"],
                exclude_confidential_informants=data["exclude_confidential_informants"],
                referrers={door.value: tuple(data[f"referrers_{door.value}"]) for door in Door},
                approver_roles=tuple(data["approver_roles"]),
                intake_deadline_days=data["intake_deadline_days"],
                intake_reminder_days=data["intake_reminder_days"],
                handoff_target_minutes=data["handoff_target_minutes"],
                caseload_warn=data["caseload_warn"],
                caseload_cap=data["caseload_cap"],
                inactivity_days=data["inactivity_days"],
                ends_participation_for_nonparticipation=data[
                    "ends_participation_for_nonparticipation"
                ],
            )
        except ValueError as error:
            self.add_error(None, str(error))
        return data

    def bound_groups(self) -> dict[str, list[forms.BoundField]]:
        """The fields in the groups the template shows them in."""
        groups = {
            "Who is eligible": [
                "eligible_offences",
                "quantity_limits",
                "exclude_dealing_for_profit",
                "minimum_age",
                "disqualifying_history",
            ],
            "Other exclusions": [
                "exclude_active_supervision",
                "exclude_treatment_court",
                "check_protective_orders",
                "complainant_consent_required",
                "exclude_confidential_informants",
            ],
            "Where": ["catchment_areas"],
            "Who refers and who approves": [
                "referrers_arrest",
                "referrers_social_contact",
                "referrers_community",
                "approver_roles",
            ],
            "Deadlines and caseloads": [
                *NUMBER_NAMES,
                "ends_participation_for_nonparticipation",
            ],
            "The PCG decision": [
                "effective_from",
                "pcg_decided_on",
                "pcg_reference",
                "pcg_document",
                "note",
            ],
        }
        return {title: [self[name] for name in names] for title, names in groups.items()}
