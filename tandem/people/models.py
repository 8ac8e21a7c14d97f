from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from tandem.core.models import TandemModel


class Person(TandemModel):
    """Someone known to the site: referred, enrolled or only looked up. Names, identifiers
    and demographics hang off this row; every field belongs to an information category."""

    class DobPrecision(models.TextChoices):
        EXACT = "exact", "Exact date"
        MONTH = "month", "Year and month"
        YEAR = "year", "Year only"
        UNKNOWN = "unknown", "Unknown"

    class Gender(models.TextChoices):
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NON_BINARY = "non_binary", "Non-binary"
        TRANSGENDER_WOMAN = "trans_woman", "Transgender woman"
        TRANSGENDER_MAN = "trans_man", "Transgender man"
        OTHER = "other", "Another identity"
        DECLINED = "declined", "Declined to say"
        NOT_ASKED = "not_asked", "Not yet asked"

    class Ethnicity(models.TextChoices):
        HISPANIC = "hispanic", "Hispanic or Latino/a/e"
        NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino/a/e"
        DECLINED = "declined", "Declined to say"
        NOT_ASKED = "not_asked", "Not yet asked"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="people")
    # identity
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    dob_precision = models.CharField(
        max_length=10, choices=DobPrecision.choices, default=DobPrecision.UNKNOWN
    )
    description = models.TextField(
        blank=True, help_text="How to recognise the person when no name is known."
    )
    # demographics, self-reported
    race = models.JSONField(default=list, blank=True)
    ethnicity = models.CharField(
        max_length=20, choices=Ethnicity.choices, default=Ethnicity.NOT_ASKED
    )
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_ASKED)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["site", "family_name", "given_name"])]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.date_of_birth is None and self.dob_precision != self.DobPrecision.UNKNOWN:
            raise ValidationError({"date_of_birth": "Give the date, or mark it unknown."})
        if self.date_of_birth is not None and self.dob_precision == self.DobPrecision.UNKNOWN:
            raise ValidationError({"dob_precision": "Say how much of the date is known."})
        unknown = set(self.race) - set(RACE_CHOICES)
        if unknown:
            raise ValidationError({"race": f"Unknown race values: {', '.join(sorted(unknown))}."})
        if "declined" in self.race and len(self.race) > 1:
            raise ValidationError({"race": "“Declined” cannot be combined with other answers."})
        if not (self.given_name or self.family_name or self.preferred_name or self.description):
            raise ValidationError("Give a name, a nickname or a description.")

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.given_name, self.family_name) if part)
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{full} (“{self.preferred_name}”)" if full else f"“{self.preferred_name}”"
        if full:
            return full
        if self.description:
            # Known only by sight: the description is how staff tell such people apart.
            short = self.description if len(self.description) <= 48 else self.description[:47] + "…"
            return f"Unnamed: {short}"
        return "Unnamed person"

    @property
    def date_of_birth_display(self) -> str:
        if self.date_of_birth is None:
            return "Unknown"
        if self.dob_precision == self.DobPrecision.YEAR:
            return f"{self.date_of_birth:%Y}"
        if self.dob_precision == self.DobPrecision.MONTH:
            return f"{self.date_of_birth:%B %Y}"
        return f"{self.date_of_birth:%Y-%m-%d}"


# Self-reported race, several allowed (OMB SPD 15 categories plus "declined").
RACE_CHOICES = {
    "american_indian": "American Indian or Alaska Native",
    "asian": "Asian",
    "black": "Black or African American",
    "middle_eastern": "Middle Eastern or North African",
    "pacific_islander": "Native Hawaiian or Pacific Islander",
    "white": "White",
    "other": "Another race",
    "declined": "Declined to say",
}


class PersonName(TandemModel):
    class Kind(models.TextChoices):
        LEGAL = "legal", "Legal name"
        ALIAS = "alias", "Alias"
        NICKNAME = "nickname", "Nickname / street name"
        PREVIOUS = "previous", "Previous name"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["kind", "family_name", "given_name"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class Identifier(TandemModel):
    class Kind(models.TextChoices):
        POLICE_ID = "police_id", "Police id"
        BOOKING = "booking", "Booking number"
        STATE_ID = "state_id", "State id"
        HMIS = "hmis", "HMIS id"
        COURT_PARTY = "court_party", "Court party id"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=80)
    issuer = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "value"]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
