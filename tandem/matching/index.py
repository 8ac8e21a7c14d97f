"""Keeps the matcher's database index (blocking and search keys per person) in step with
the people it describes."""

from __future__ import annotations

from tandem.people.models import Person


def person_index_refresh(person: Person) -> None:
    """Recompute the match keys of one person (called by every service that changes a
    person's names, identifiers or date of birth, and by merge and unmerge)."""
    from tandem.matching.services import person_keys_store

    person_keys_store(person)
