"""The matcher's tables: derived from people, never a source of truth. Every row here can be
rebuilt from the people tables (`tandem match_reindex`), so a merge does not move them: the
people services recompute them instead."""

from __future__ import annotations

from django.contrib.postgres.lookups import TrigramSimilar
from django.db import models

# The people merge moves every row that points at a person, except tables that say they
# follow a person by being recomputed (see tandem/people/merging.py).
MERGE_FOLLOWS_PERSON = False


class MatchProfile(models.Model):
    """One person as the matcher sees them: a MatchRecord as compact JSON text, so that
    scoring a candidate needs one row and no joins, and so that the text itself can key the
    in-process cache of prepared records (tandem/matching/selectors.py)."""

    merge_follows_person = MERGE_FOLLOWS_PERSON

    site = models.ForeignKey("tenancy.Site", on_delete=models.CASCADE, related_name="+")
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="match_profile"
    )
    record = models.TextField()

    def __str__(self) -> str:
        return f"match profile of person {self.person_id}"


class MatchKey(models.Model):
    """A blocking or search key of one person: people who share a key are compared."""

    merge_follows_person = MERGE_FOLLOWS_PERSON

    site = models.ForeignKey("tenancy.Site", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["site", "key"], name="matching_key_site_key")]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="matching_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class NameField(models.CharField):  # type: ignore[type-arg]
    """A normalised name. On PostgreSQL it answers `similar` (pg_trgm's `%` operator), served
    by the trigram index of migration 0002; other databases never use that lookup."""


NameField.register_lookup(TrigramSimilar, "similar")


class MatchName(models.Model):
    """Every name and alias of a person, normalised, for partial and misspelt name search
    (a trigram index serves it on PostgreSQL)."""

    merge_follows_person = MERGE_FOLLOWS_PERSON

    site = models.ForeignKey("tenancy.Site", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    name = NameField(max_length=210)

    class Meta:
        indexes = [models.Index(fields=["site", "name"], name="matching_name_site_name")]

    def __str__(self) -> str:
        return self.name


class SiteMatchModel(models.Model):
    """The matcher's weights for one site, estimated from that site's own people. Each
    retraining adds a version; the newest is used, older ones stay for the record."""

    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    parameters = models.JSONField()
    trained_on = models.PositiveIntegerField(help_text="How many people the estimate used.")
    trained_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["site", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["site", "version"], name="matching_model_version")
        ]

    def __str__(self) -> str:
        return f"match model v{self.version} of site {self.site_id}"
