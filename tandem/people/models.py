"""People and their identity: names, identifiers, demographics, photo, the history of every
change, merges of two records of one person, and the queue of likely duplicates.

Merging moves every row that points at a person (see `tandem.people.merging`). A model whose
rows must stay with the record they were written for (history, merges, the duplicate queue,
derived indexes) says so with the class attribute `merge_follows_person = False`.
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tandem.core.models import TandemModel


def person_photo_path(instance: Person, filename: str) -> str:
    """A random path that tells nothing about the person: no id, no name, no upload name.
    MEDIA_ROOT is never served by URL; the photo view checks access and streams the file."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"private/people/{secrets.token_hex(16)}{suffix}"


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

    class Sex(models.TextChoices):
        """Sex as recorded on identity documents and partner records, which the matcher
        compares; gender is self-reported and separate."""

        FEMALE = "female", "Female"
        MALE = "male", "Male"
        X = "x", "X (unspecified)"
        UNKNOWN = "unknown", "Unknown"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="people")
    # identity
    given_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    dob_precision = models.CharField(
        max_length=10, choices=DobPrecision.choices, default=DobPrecision.UNKNOWN
    )
    description = models.TextField(
        blank=True, help_text="How to recognise the person when no name is known."
    )
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    photo = models.ImageField(upload_to=person_photo_path, blank=True)
    # Set when this record was merged into another: the survivor holds everything now, and
    # this row stays only so that the merge can be undone exactly.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
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
        if self.merged_into_id is not None and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "A record cannot be merged into itself."})

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

    # A removed name stays in the table (and in the person's history); selectors skip it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "family_name", "given_name"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    def clean(self) -> None:
        if not (self.given_name.strip() or self.family_name.strip()):
            raise ValidationError("Give a given name or a family name.")


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
    # A removed identifier stays in the table (and in the person's history); selectors skip it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class PersonVersion(TandemModel):
    """One state of a person's record, written by every service that changes it, in the same
    transaction as the audit event. The snapshot holds the identity and demographics fields,
    the names and the identifiers as they stood after the change; comparing two neighbouring
    versions tells what changed."""

    merge_follows_person = False

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        MERGED = "merged", "Merged"
        UNMERGED = "unmerged", "Unmerged"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    snapshot = models.JSONField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["person", "number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="person_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.number} ({self.kind})"


class PersonMerge(TandemModel):
    """Two records of one person made one, with everything needed to undo it exactly: which
    rows moved (model label, field name, primary keys), which rows the merge created, both
    people's fields before the merge and the survivor's right after it, and the duplicate
    candidates whose status the merge changed."""

    merge_follows_person = False

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    # [{"model": "casework.enrollment", "field": "person", "pks": [3, 9]}, ...]
    moved = models.JSONField(default=list)
    # [{"model": "people.personname", "pks": [41]}]: rows the merge made (the merged
    # person's own name, now an alias of the survivor).
    created_rows = models.JSONField(default=list)
    survivor_before = models.JSONField()
    survivor_after = models.JSONField()
    merged_before = models.JSONField()
    # {candidate pk: {"status": ..., "decided_by_id": ..., "decided_at": ...}} before the merge.
    candidates_before = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["site", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class DuplicateCandidate(TandemModel):
    """A pair of people of one site that the matcher thinks may be one person, waiting for a
    project manager's decision. Each unordered pair is one row (person_a has the smaller
    key), so a pair judged "not the same person" is never proposed again."""

    merge_follows_person = False

    class Band(models.TextChoices):
        LINK = "link", "Link"
        REVIEW = "review", "Review"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        NOT_DUPLICATE = "not_duplicate", "Not the same person"
        DISMISSED_BY_MERGE = "dismissed_by_merge", "Set aside by a merge"

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    band = models.CharField(max_length=10, choices=Band.choices)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["-probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="duplicate_probability_range",
            ),
        ]
        indexes = [models.Index(fields=["site", "status", "-probability"])]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.2f})"

    def clean(self) -> None:
        if self.person_a_id and self.person_b_id and self.person_a_id >= self.person_b_id:
            raise ValidationError("Store the pair with the smaller key first.")
