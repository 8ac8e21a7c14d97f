"""The shape of what the consent pages accept; the rules across rows live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from tandem.access.roles import Category
from tandem.consent.models import Consent, ContactNotice
from tandem.consent.selectors import RecipientChoice
from tandem.consent.services import GrantInput, Part2Elements


class ConsentForm(forms.Form):
    """A release: recipients and their categories (one checkbox group per organisation of
    the site), purpose, dates, signature and witness; the 42 CFR 2.31 elements when the
    recording organisation is a Part 2 programme."""

    purpose = forms.ChoiceField(choices=Consent.PurposeChoice.choices, label="Purpose")
    purpose_text = forms.CharField(
        label="What the information is for, in the participant's words",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    effective_on = forms.DateField(
        label="Starts on", widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))
    signed_name = forms.CharField(label="Participant's name, typed", max_length=200)
    signature_drawn = forms.CharField(required=False, widget=forms.HiddenInput())
    signature_scan = forms.FileField(
        label="Or upload a scan of the signed paper form",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    witness_name = forms.CharField(label="Witness (optional)", max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        recipients: list[RecipientChoice],
        part2: bool,
        today: dt.date,
        term_days: int,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "effective_on": today,
                "expires_on": today + dt.timedelta(days=term_days),
            },
        )
        super().__init__(*args, **kwargs)
        self.recipients = recipients
        self.part2 = part2
        self.recipient_rows: list[tuple[RecipientChoice, str, str]] = []
        for recipient in recipients:
            organization = recipient.organization
            key = organization.public_id.hex
            include, categories = f"org_{key}", f"cat_{key}"
            self.fields[include] = forms.BooleanField(
                label=f"{organization.name} ({organization.get_kind_display()})",
                required=False,
            )
            self.fields[categories] = forms.MultipleChoiceField(
                label=f"What {recipient.organization.name} may receive",
                choices=recipient.allowed,
                required=False,
                initial=sorted(recipient.defaults),
                widget=forms.CheckboxSelectMultiple,
            )
            self.recipient_rows.append((recipient, include, categories))
        if part2:
            self.fields["disclosure_description"] = forms.CharField(
                label="How much and what kind of information may be disclosed",
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=2000,
            )
            self.fields["revocation_instructions"] = forms.CharField(
                label="How the participant can revoke this consent",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
                initial="Tell your case manager, in person or in writing, at any time. "
                "Revoking does not undo what was already shared.",
            )
            self.fields["expiry_event"] = forms.CharField(
                label="Or ends on this event or condition (optional)",
                max_length=300,
                required=False,
            )
            self.fields["treatment_not_conditioned"] = forms.BooleanField(
                label="I told the participant that their treatment does not depend on signing",
            )

    def bound_recipients(self) -> list[tuple[RecipientChoice, forms.BoundField, forms.BoundField]]:
        """For the template: each recipient with its two bound fields."""
        return [
            (recipient, self[include], self[categories])
            for recipient, include, categories in self.recipient_rows
        ]

    def bound_part2(self) -> list[forms.BoundField]:
        names = ["disclosure_description", "revocation_instructions", "expiry_event"]
        return [self[name] for name in names] if self.part2 else []

    def grants(self) -> list[GrantInput]:
        chosen = []
        for recipient, include, categories in self.recipient_rows:
            if self.cleaned_data.get(include):
                chosen.append(
                    GrantInput(
                        organization=recipient.organization,
                        categories=frozenset(
                            Category(c) for c in self.cleaned_data.get(categories, [])
                        ),
                    )
                )
        return chosen

    def part2_elements(self) -> Part2Elements | None:
        if not self.part2:
            return None
        data = self.cleaned_data
        return Part2Elements(
            disclosure_description=data.get("disclosure_description", ""),
            revocation_instructions=data.get("revocation_instructions", ""),
            expiry_event=data.get("expiry_event", ""),
            treatment_not_conditioned=bool(data.get("treatment_not_conditioned")),
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    organization = forms.UUIDField(required=False, widget=forms.HiddenInput())


LOOKUP_REASONS = [
    ("social_contact", "Contact on the street"),
    ("arrest_diversion", "Considering diversion at arrest"),
    ("welfare", "Welfare concern"),
    ("hand_off", "Arranging a hand-off to case management"),
]


class LookupForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you looking?", choices=LOOKUP_REASONS)
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


class ContactNoticeForm(forms.Form):
    """A police contact notice about one match of a lookup (the token names it)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)
    kind = forms.ChoiceField(label="What is it about?", choices=ContactNotice.Kind.choices)
    text = forms.CharField(
        label="What happened",
        max_length=ContactNotice.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 500 characters, for the case-management team. No answer comes back "
        "through Tandem.",
    )
    place = forms.CharField(
        label="Where (optional)", max_length=ContactNotice.PLACE_MAX_LENGTH, required=False
    )


class AccountingForm(forms.Form):
    """The period of an accounting of disclosures the participant asked for."""

    since = forms.DateField(
        label="Disclosures since",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Three years back unless the participant asks for a shorter period.",
    )
