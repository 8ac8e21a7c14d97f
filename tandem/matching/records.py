"""Between people as Tandem stores them and records as the matcher's core sees them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from tandem.matching.core import MatchRecord, PartialDate
from tandem.matching.core.names import compact, normalise
from tandem.people.models import Identifier, Person, PersonName

# How much of a stored date of birth is known, as the matcher's partial date.
_PRECISION_PARTS = {"exact": 3, "month": 2, "year": 1}


def partial_date_of(person: Person) -> PartialDate | None:
    born = person.date_of_birth
    parts = _PRECISION_PARTS.get(person.dob_precision, 0)
    if born is None or parts == 0:
        return None
    return PartialDate(
        born.year, born.month if parts >= 2 else None, born.day if parts >= 3 else None
    )


def record_of(
    person: Person, names: Iterable[PersonName], identifiers: Iterable[Identifier]
) -> MatchRecord:
    """The matcher's record of a person: every current name and alias, and identifiers.

    Identifiers issued by a 42 CFR Part 2 programme are left out: a match explained by
    "identifier agrees" must never tell a viewer outside the programme that it holds one."""
    others: list[tuple[str, str]] = [
        (name.given_name, name.family_name) for name in names if name.given_name or name.family_name
    ]
    if person.preferred_name and person.preferred_name != person.given_name:
        others.append((person.preferred_name, person.family_name))
    return MatchRecord(
        id=str(person.pk),
        given_name=person.given_name,
        middle_name=person.middle_name,
        surname=person.family_name,
        dob=partial_date_of(person),
        sex=person.sex,
        identifiers=tuple(
            identifier_key(i.kind, i.value)
            for i in identifiers
            if not (i.issuer is not None and i.issuer.is_part2_program)
        ),
        other_names=tuple(others),
    )


def identifier_key(kind: str, value: str) -> str:
    """Identifiers are compared without case, spaces or punctuation ("WA 123-45" = "wa12345")."""
    return f"{kind}:{compact(value)}"


def record_to_json(record: MatchRecord) -> str:
    dob = record.dob
    data = {
        "id": record.id,
        "g": record.given_name,
        "m": record.middle_name,
        "s": record.surname,
        "d": None if dob is None else [dob.year, dob.month, dob.day],
        "x": record.sex,
        "i": list(record.identifiers),
        "o": [list(pair) for pair in record.other_names],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def record_from_json(text: str) -> MatchRecord:
    data: dict[str, Any] = json.loads(text)
    dob = data.get("d")
    return MatchRecord(
        id=str(data["id"]),
        given_name=data.get("g", ""),
        middle_name=data.get("m", ""),
        surname=data.get("s", ""),
        dob=None if dob is None else PartialDate(dob[0], dob[1], dob[2]),
        sex=data.get("x", ""),
        identifiers=tuple(data.get("i", ())),
        other_names=tuple((pair[0], pair[1]) for pair in data.get("o", ())),
    )


_FULL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date_token(token: str) -> PartialDate | None:
    """A date typed into a search box: 1980-03-04, 1980-03, 1980 or 03/04/1980 (US order)."""
    if m := _US_DATE.match(token):
        token = f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}"
    if _FULL_DATE.match(token) or _MONTH.match(token) or _YEAR.match(token):
        try:
            return PartialDate.parse(token)
        except ValueError:
            return None
    return None


def query_record(text: str, identifier_kinds: Sequence[str]) -> MatchRecord:
    """What someone typed into the search box, as a partial record: names, a date of
    birth (whole or partial) and identifiers, in any order. "Surname, Given" is understood;
    a lone name may be a given name or a surname, so it is tried as both."""
    text = text.replace("\x00", " ").strip()
    surname_first = "," in text
    dob: PartialDate | None = None
    words: list[str] = []
    idents: list[str] = []
    for token in re.split(r"[\s,]+", text):
        if not token:
            continue
        as_date = _date_token(token)
        if as_date is not None and dob is None:
            dob = as_date
        elif any(ch.isdigit() for ch in token):
            value = compact(token)
            if value:
                idents.extend(f"{kind}:{value}" for kind in identifier_kinds)
        else:
            words.append(token)
    given = surname = middle = ""
    others: tuple[tuple[str, str], ...] = ()
    if len(words) == 1:
        surname = words[0]
        others = ((words[0], ""),)
    elif words:
        if surname_first:
            surname, given = words[0], words[1]
            middle = " ".join(words[2:])
        else:
            given, surname = words[0], words[-1]
            middle = " ".join(words[1:-1])
    return MatchRecord(
        id="query",
        given_name=given,
        middle_name=middle,
        surname=surname,
        dob=dob,
        identifiers=tuple(idents),
        other_names=others,
    )


def name_fragments(text: str) -> list[str]:
    """Lower-case words of a query that could be the start or part of a name (for the
    substring search that catches what someone has only half typed)."""
    return [w for w in normalise(text).split() if len(w) >= 2 and w.isalpha()]
