"""The record the matcher reads: plain values, no database objects."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.matching.core.dates import PartialDate


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One person as a source knows them.

    `identifiers` are "kind:value" strings (for example "ssn:123456789"); two equal strings
    agree. `other_names` holds aliases, nicknames and previous names as (given, surname)
    pairs; every one of them is compared and indexed like the main name.
    """

    id: str
    given_name: str = ""
    middle_name: str = ""
    surname: str = ""
    dob: PartialDate | None = None
    sex: str = ""
    street: str = ""
    city: str = ""
    postcode: str = ""
    state: str = ""
    identifiers: tuple[str, ...] = ()
    other_names: tuple[tuple[str, str], ...] = ()
