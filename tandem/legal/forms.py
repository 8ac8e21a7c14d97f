"""The shape of what the legal pages accept; the rules across rows live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.legal.models import LegalStatusSummary, Letter
from tandem.tenancy.models import Organization

DISPOSITION_CHOICES = [
    ("declined", "Decline the charge"),
    ("filed", "File the charge"),
    ("extended", "Extend the deadline"),
]


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label="Decision", choices=DISPOSITION_CHOICES, widget=forms.RadioSelect
    )
    extended_to = forms.DateField(
        label="New deadline (for an extension)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for the decision."},
    )


NOTE_WARNING = (
    "One short sentence, for the prosecutor and the defender. Do not include anything about "
    "conduct, health, substance use or treatment, or where the participant can be found."
)


class StatusForm(forms.Form):
    engagement = forms.ChoiceField(
        label="Engagement",
        choices=LegalStatusSummary.Engagement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the participant is engaged."},
    )
    progress = forms.ChoiceField(
        label="General progress",
        choices=LegalStatusSummary.Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the participant is doing."},
    )
    barriers = forms.MultipleChoiceField(
        label="Barriers",
        choices=LegalStatusSummary.Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="A sentence for legal partners (optional)",
        required=False,
        max_length=LegalStatusSummary.NOTE_MAX_LENGTH,
        help_text=NOTE_WARNING,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": LegalStatusSummary.NOTE_MAX_LENGTH}),
    )


class LetterForm(forms.Form):
    template = forms.ChoiceField(
        label="Letter for", choices=Letter.Template.choices, widget=forms.RadioSelect
    )
    recipient = forms.ChoiceField(label="Recipient organisation")
    addressee = forms.CharField(
        label="Addressed to",
        max_length=200,
        help_text="For example: Judge A. Alvarez, Department 3, or the probation officer's name.",
    )
    # The status the preview was made from: a newer one means a new preview first.
    summary = forms.UUIDField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, recipients: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipients = {str(o.public_id): o for o in recipients}
        field = self.fields["recipient"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose…")] + [
            (key, f"{o.name} ({o.get_kind_display()})") for key, o in self.recipients.items()
        ]

    def recipient_organization(self) -> Organization:
        return self.recipients[self.cleaned_data["recipient"]]
