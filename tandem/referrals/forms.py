"""What the referral pages accept. The officer's form asks only what the site's policy
needs: an eligibility question whose rule the site has not adopted is not asked."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from tandem.policy.rules import PolicyRules, PriorEvent
from tandem.referrals.services import Conduct, Subject

TRI_STATE = [("", "Not known"), ("yes", "Yes"), ("no", "No")]

# Questions asked only when the site's policy has the rule: (field, label, rule applies?).
QUESTIONS: list[tuple[str, str, str]] = [
    ("dealing_for_profit", "Was it dealing for profit?", "exclude_dealing_for_profit"),
    (
        "on_active_supervision",
        "Is the person on probation or parole now?",
        "exclude_active_supervision",
    ),
    ("in_treatment_court", "Is the person in a treatment court now?", "exclude_treatment_court"),
    (
        "protective_order",
        "Is there a protective order against the person?",
        "check_protective_orders",
    ),
    (
        "no_contact_with_participant",
        "Does an order forbid contact with a current LEAD participant?",
        "check_protective_orders",
    ),
    (
        "complainant_consents",
        "Does the complainant agree to diversion?",
        "complainant_consent_required",
    ),
    (
        "confidential_informant",
        "Is the person a confidential informant?",
        "exclude_confidential_informants",
    ),
]


def _tri(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class SubjectFields(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approximate_age = forms.IntegerField(
        label="Age (about), when the date is not known", required=False, min_value=0, max_value=120
    )
    description = forms.CharField(
        label="Description (if the name is not known)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError("The date of birth is in the future.")
        return born

    def subject(self) -> Subject:
        data = self.cleaned_data
        return Subject(
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            date_of_birth=data.get("date_of_birth"),
            approximate_age=data.get("approximate_age"),
            description=data.get("description") or "",
        )


class ConductForm(SubjectFields):
    """Who, and what happened, in the site policy's own terms."""

    offence = forms.ChoiceField(label="Offence", required=False)
    substance = forms.ChoiceField(label="Substance", required=False)
    form = forms.ChoiceField(label="Form", required=False)
    quantity_grams = forms.DecimalField(
        label="Quantity (grams)",
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
    )
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args: Any, rules: PolicyRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        offences = [(o.code, f"{o.label} ({o.code})") for o in rules.eligible_offences]
        self._choice("offence").choices = [
            ("", "Choose the offence"),
            *offences,
            ("OTHER", "Something not on this list"),
        ]
        substances = sorted({limit.substance for limit in rules.quantity_limits})
        forms_ = sorted({limit.form for limit in rules.quantity_limits})
        self._choice("substance").choices = [("", "None / not a drug offence")] + [
            (s, s) for s in substances
        ]
        self._choice("form").choices = [("", "—")] + [(f, f) for f in forms_]
        if not rules.quantity_limits:
            for name in ("substance", "form", "quantity_grams"):
                del self.fields[name]
        if rules.catchment_areas:
            self._choice("area").choices = (
                [("", "Choose the area")]
                + [(a, a) for a in rules.catchment_areas]
                + [("outside", "Outside these areas")]
            )
        else:
            del self.fields["area"]
        self.question_names: list[str] = []
        for name, label, rule in QUESTIONS:
            if getattr(rules, rule):
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=TRI_STATE, required=False
                )
                self.question_names.append(name)

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def conduct(self) -> Conduct:
        data = self.cleaned_data
        code = data.get("offence") or ""
        flags = {name: _tri(data.get(name)) for name, _, _ in QUESTIONS}
        return Conduct(
            offence_codes=(code,) if code else (),
            substance=data.get("substance") or "",
            form=data.get("form") or "",
            quantity_grams=data.get("quantity_grams"),
            area=data.get("area") or "",
            **flags,  # type: ignore[arg-type]
        )


class OfficerReferralForm(ConductForm):
    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location_text = forms.CharField(label="Where", max_length=300)
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput()
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput()
    )
    observations = forms.CharField(
        label="What you saw (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if lat is None and lon is None:
            return data
        if lat is None or lon is None:
            raise forms.ValidationError("The phone's position came incomplete; try again.")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise forms.ValidationError("The phone's position is not a place on Earth.")
        return data


class ScreenForm(ConductForm):
    """Triage: the team completes what the referrer could not say, including the history
    check that an officer at the scene usually cannot make."""

    def __init__(self, *args: Any, rules: PolicyRules, **kwargs: Any) -> None:
        super().__init__(*args, rules=rules, **kwargs)
        if rules.disqualifying_history:
            self.fields["history_found"] = forms.ChoiceField(
                label="Disqualifying history",
                required=False,
                choices=[
                    ("", "Not checked yet"),
                    ("none", "Checked: nothing disqualifying within the look-back"),
                    *[(h.category, f"Found: {h.label}") for h in rules.disqualifying_history],
                ],
            )
            self.fields["history_on"] = forms.DateField(
                label="Date of what was found",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        found = data.get("history_found")
        if found and found != "none" and data.get("history_on") is None:
            self.add_error("history_on", "Give the date of what was found.")
        return data

    def conduct(self) -> Conduct:
        conduct = super().conduct()
        found = self.cleaned_data.get("history_found") or ""
        history: tuple[PriorEvent, ...] | None = None
        if found == "none":
            history = ()
        elif found:
            history = (PriorEvent(category=found, on=self.cleaned_data["history_on"]),)
        return dataclasses.replace(conduct, history=history)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    reason = forms.CharField(label="Note", required=False, max_length=2000)


class PublicReferralForm(SubjectFields):
    """The community's form: no account, so everything is text and shown back escaped."""

    referrer_name = forms.CharField(label="Your name", max_length=120)
    referrer_contact = forms.CharField(
        label="How we can reach you (phone or e-mail)", max_length=200
    )
    referrer_relationship = forms.CharField(
        label="Who you are (for example: shop owner, neighbour, outreach worker)",
        max_length=120,
        required=False,
    )
    location_text = forms.CharField(label="Where the person can usually be found", max_length=300)
    what_happened = forms.CharField(
        label="What is happening, and why you think LEAD could help",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Left empty by people; bots fill every field.
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(required=False, widget=forms.HiddenInput())


class ShiftForm(forms.Form):
    user = forms.ChoiceField(label="Case manager")
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "Choose"), *people]
