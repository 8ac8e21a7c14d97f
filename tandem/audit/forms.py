from django import forms


class AuditFilterForm(forms.Form):
    target = forms.CharField(
        required=False, label="Record id", help_text="The id of a person or other record."
    )
    actor = forms.CharField(required=False, label="User", help_text="A username or token name.")
    action = forms.CharField(
        required=False, label="Action starts with", help_text="e.g. person. or auth."
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data
