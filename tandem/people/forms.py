"""Forms of the people pages. They check the shape of what was typed; the services decide
every rule across rows (a duplicate identifier, a merged record, ...)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.matching.core import PartialDate
from tandem.people.models import RACE_CHOICES, Identifier, Person, PersonName
from tandem.tenancy.models import Organization

# The person described is someone else: the browser must not offer the user's own details.
NOT_MINE = {"autocomplete": "off"}
# Fields whose typing asks for likely existing matches (search before create).
MATCH_FIELDS = ("given_name", "middle_name", "family_name", "preferred_name", "date_of_birth")

EARLIEST_BIRTH_YEAR = 1900


def dob_text(person: Person) -> str:
    """A person's date of birth as the form shows it: only what is known."""
    if person.date_of_birth is None:
        return ""
    if person.dob_precision == Person.DobPrecision.YEAR:
        return f"{person.date_of_birth:%Y}"
    if person.dob_precision == Person.DobPrecision.MONTH:
        return f"{person.date_of_birth:%Y-%m}"
    return person.date_of_birth.isoformat()


def dob_parse(text: str) -> tuple[PartialDate | None, date | None, str]:
    """Typed text -> (the partial date, the date stored, its precision). Raises
    ValidationError with a message the user can act on."""
    try:
        partial = PartialDate.parse(text)
    except ValueError as exc:
        raise ValidationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from exc
    if partial is None or partial.year is None:
        return None, None, Person.DobPrecision.UNKNOWN
    if partial.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(f"A date of birth before {EARLIEST_BIRTH_YEAR} is not likely.")
    if partial.day is not None and partial.month is not None:
        stored, precision = date(partial.year, partial.month, partial.day), "exact"
    elif partial.month is not None:
        stored, precision = date(partial.year, partial.month, 1), "month"
    else:
        stored, precision = date(partial.year, 1, 1), "year"
    if stored > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.")
    return partial, stored, precision


class IssuerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class PersonFieldsForm(forms.Form):
    """Identity and self-reported demographics, shared by the create and edit pages."""

    given_name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(NOT_MINE))
    middle_name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(NOT_MINE))
    family_name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(NOT_MINE))
    preferred_name = forms.CharField(
        label="Preferred name or nickname",
        max_length=100,
        required=False,
        widget=forms.TextInput(NOT_MINE),
    )
    date_of_birth = forms.CharField(
        max_length=10,
        required=False,
        help_text="YYYY-MM-DD; YYYY-MM or YYYY when only part is known; empty if unknown.",
        widget=forms.TextInput({**NOT_MINE, "inputmode": "numeric", "placeholder": "1980-05-17"}),
    )
    sex = forms.ChoiceField(
        label="Sex (as on documents)", choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN
    )
    description = forms.CharField(
        max_length=1000,
        required=False,
        help_text="For someone known only by sight: how to recognise them.",
        widget=forms.Textarea({"rows": 3}),
    )
    race = forms.MultipleChoiceField(
        label="Race (self-reported; choose all that apply)",
        choices=list(RACE_CHOICES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ethnicity = forms.ChoiceField(
        choices=Person.Ethnicity.choices, initial=Person.Ethnicity.NOT_ASKED
    )
    gender = forms.ChoiceField(
        label="Gender (self-reported)",
        choices=Person.Gender.choices,
        initial=Person.Gender.NOT_ASKED,
    )

    def __init__(self, *args: Any, demographics: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not demographics:
            # What the viewer may not see, the viewer cannot change either.
            for field in ("race", "ethnicity", "gender"):
                del self.fields[field]

    def clean_date_of_birth(self) -> str:
        text: str = self.cleaned_data["date_of_birth"].strip()
        _, stored, precision = dob_parse(text)
        self.cleaned_data["dob"] = (stored, precision)
        return text

    def clean_race(self) -> list[str]:
        race: list[str] = self.cleaned_data["race"]
        if "declined" in race and len(race) > 1:
            raise ValidationError("“Declined to say” cannot be combined with other answers.")
        return race

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = any(data.get(field) for field in ("given_name", "family_name", "preferred_name"))
        if not named and not data.get("description"):
            raise ValidationError(
                "Give a name, a nickname, or a description of someone known only by sight."
            )
        return data

    def person_fields(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        stored, precision = data["dob"]
        fields: dict[str, Any] = {
            name: data[name]
            for name in (
                "given_name",
                "middle_name",
                "family_name",
                "preferred_name",
                "sex",
                "description",
            )
        }
        fields["date_of_birth"], fields["dob_precision"] = stored, precision
        for name in ("race", "ethnicity", "gender"):
            if name in self.fields:
                fields[name] = data[name]
        return fields


class PersonCreateForm(PersonFieldsForm):
    alias_kind = forms.ChoiceField(
        label="Kind of other name",
        choices=[c for c in PersonName.Kind.choices if c[0] != PersonName.Kind.LEGAL],
        initial=PersonName.Kind.ALIAS,
        required=False,
    )
    alias_given_name = forms.CharField(
        label="Other given name", max_length=100, required=False, widget=forms.TextInput(NOT_MINE)
    )
    alias_family_name = forms.CharField(
        label="Other family name", max_length=100, required=False, widget=forms.TextInput(NOT_MINE)
    )
    identifier_kind = forms.ChoiceField(
        label="Identifier kind",
        choices=[("", "No identifier"), *Identifier.Kind.choices],
        required=False,
    )
    identifier_value = forms.CharField(
        label="Identifier", max_length=80, required=False, widget=forms.TextInput(NOT_MINE)
    )
    identifier_issuer = IssuerField(
        label="Issued by",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        empty_label="Not known",
        required=False,
    )
    confirm_new = forms.BooleanField(
        label="None of these — create a new person",
        required=False,
    )

    def __init__(self, *args: Any, site_id: int, candidates_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this site's organisations are offered, and only they are accepted.
        self.fields["identifier_issuer"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            site_id=site_id
        ).order_by("name")
        if candidates_url:
            # Search before create: typing a name or date of birth refreshes the panel of
            # people who may already be recorded (POST, so nothing typed enters a URL).
            for name in MATCH_FIELDS:
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": candidates_url,
                        "hx-trigger": "input changed delay:300ms",
                        "hx-target": "#candidates",
                        "hx-swap": "outerHTML",
                        "aria-controls": "candidates",
                    }
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, value = data.get("identifier_kind"), (data.get("identifier_value") or "").strip()
        if kind and not value:
            self.add_error("identifier_value", "Give the identifier, or choose “No identifier”.")
        if value and not kind:
            self.add_error("identifier_kind", "Say what kind of identifier this is.")
        return data


class PersonEditForm(PersonFieldsForm):
    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        required=False,
        help_text="Kept in the record's history, e.g. “Name corrected from a state id”.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, required=False)


class NameAddForm(ReasonForm):
    kind = forms.ChoiceField(choices=PersonName.Kind.choices, initial=PersonName.Kind.ALIAS)
    given_name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(NOT_MINE))
    family_name = forms.CharField(max_length=100, required=False, widget=forms.TextInput(NOT_MINE))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("given_name", "").strip() or data.get("family_name", "").strip()):
            raise ValidationError("Give a given name or a family name.")
        return data


class IdentifierAddForm(ReasonForm):
    kind = forms.ChoiceField(choices=Identifier.Kind.choices)
    value = forms.CharField(label="Identifier", max_length=80, widget=forms.TextInput(NOT_MINE))
    issuer = IssuerField(
        label="Issued by",
        queryset=Organization.objects.none(),
        to_field_name="public_id",
        empty_label="Not known",
        required=False,
    )

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            site_id=site_id
        ).order_by("name")


class PhotoForm(ReasonForm):
    photo = forms.FileField(
        help_text="A JPEG, PNG or WebP photo of at most 5 MB. Location and camera details "
        "are removed when it is stored.",
        widget=forms.ClearableFileInput({"accept": "image/jpeg,image/png,image/webp"}),
    )


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(label="Record to keep", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why these are the same person",
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = choices  # type: ignore[attr-defined]


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label="Why these are two different people",
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
    )
    confirm = forms.BooleanField(
        label="Yes, separate these two records again",
        error_messages={"required": "Tick the box to confirm the unmerge."},
    )
