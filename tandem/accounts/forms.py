from __future__ import annotations

from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms

from tandem.access.roles import Role
from tandem.accounts.services import PARTNER_TOKEN_ROLES
from tandem.tenancy.models import Organization

# The roles the token service issues, in Role's order.
PARTNER_ROLES = [(role.value, role.label) for role in Role if role in PARTNER_TOKEN_ROLES]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="The partner system that will use it, e.g. “Records system”."
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), to_field_name="public_id"
    )
    role = forms.ChoiceField(choices=PARTNER_ROLES, help_text="What the system may see.")

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(site_id=site_id)  # type: ignore[attr-defined]


class LockoutAwareAuthenticateForm(AuthenticateForm):
    """The second-factor form, refusing every code once the account is locked, so that a
    locked account cannot go on guessing codes in a sign-in it had already started."""

    def clean_code(self) -> str:
        request = context.request
        if not AxesProxyHandler.is_allowed(request, {"username": self.user.get_username()}):
            raise forms.ValidationError(
                "This account is locked after too many failed attempts.", code="locked"
            )
        code: str = super().clean_code()
        return code
