from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from tandem.access.roles import Role
from tandem.tenancy.models import Organization

# The form is about someone else: the browser must not fill in the administrator's own
# username, name or address.
NOT_MINE = {"autocomplete": "off"}


class OrganizationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        # The kind decides which roles fit, so the choice shows it.
        return f"{obj.name} ({obj.get_kind_display()})"


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they type to sign in: letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={**NOT_MINE, "autocapitalize": "none", "spellcheck": "false"}),
    )
    first_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs=NOT_MINE))
    last_name = forms.CharField(max_length=150, widget=forms.TextInput(attrs=NOT_MINE))
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="The link to set their password is sent here.",
        widget=forms.EmailInput(attrs=NOT_MINE),
    )
    organization = OrganizationChoiceField(
        label="Organisation",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        empty_label="Choose an organisation",
    )
    role = forms.ChoiceField(
        choices=[
            ("", "Choose a role"),
            *((value, label) for value, label in Role.choices if value != Role.NATIONAL_SUPPORT),
        ],
        help_text="A role fits some kinds of organisation only: a case manager works for a "
        "case-management provider, a police officer for the police.",
    )

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the site's own organisations are offered, and only they are accepted.
        self.fields["organization"].queryset = Organization.objects.filter(site_id=site_id)  # type: ignore[attr-defined]
