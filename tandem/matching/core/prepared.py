"""A record made ready for comparison, and the index keys derived from it.

`prepare` does all the per-record work once (normalising, phonetic codes, nickname groups,
date parts), so that comparing two prepared records only looks values up and compares
them. Blocking keys and search keys are short strings, each prefixed by the rule that made
it; two records are compared only when they share at least one key.
"""

from __future__ import annotations

from tandem.matching.core.names import (
    canonical_names,
    compact,
    nickname_groups,
    normalise,
    normalise_tokens,
    phonetic,
    surname_parts,
)
from tandem.matching.core.records import MatchRecord

MAX_KEY_LENGTH = 64
# Long enough to tell names apart, short enough that keys stay well under MAX_KEY_LENGTH.
_KEY_NAME_LENGTH = 16
KEY_PHONETIC_LENGTH = 4
_SEXES = {"f": "f", "female": "f", "m": "m", "male": "m"}


class NameForm:
    """One name of a person (the main name or an alias), normalised for comparison."""

    __slots__ = (
        "given",
        "given_canonical",
        "given_groups",
        "given_initial",
        "given_phonetic",
        "surname",
        "surname_initial",
        "surname_is_compound",
        "surname_parts",
        "surname_phonetic",
    )

    def __init__(self, given: str, surname: str) -> None:
        given_tokens = normalise_tokens(given)
        self.given = "".join(given_tokens)
        self.given_initial = self.given[:1]
        self.given_phonetic = phonetic(self.given) if self.given else ""
        groups = nickname_groups(self.given)
        if len(given_tokens) > 1:
            # "Bill Henry" is still a Bill: look the first word up too.
            groups = groups | nickname_groups(given_tokens[0])
        self.given_groups = groups
        canonical: set[str] = set()
        if self.given:
            canonical.update(canonical_names(self.given))
            if len(given_tokens) > 1:
                canonical.update(canonical_names(given_tokens[0]))
        self.given_canonical = tuple(sorted(canonical))
        self.surname = compact(surname)
        self.surname_initial = self.surname[:1]
        self.surname_parts = surname_parts(surname) if self.surname else ()
        # "Garcia-Lopez" and "de la Cruz" are compound: their parts are not the whole name.
        self.surname_is_compound = self.surname_parts not in ((), (self.surname,))
        self.surname_phonetic = phonetic(self.surname) if self.surname else ""

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, NameForm)
            and self.given == other.given
            and self.surname == other.surname
        )

    def __hash__(self) -> int:
        return hash((self.given, self.surname))

    def __repr__(self) -> str:
        return f"NameForm({self.given!r}, {self.surname!r})"


class Prepared:
    """The comparison-ready form of one MatchRecord; `.record` gives the record back.

    `names` holds the main name first, then each distinct alias. Date parts are None when
    unknown; `dob_digits` is "YYYYMMDD" for a complete date and "" otherwise.
    """

    __slots__ = (
        "city",
        "dob_day",
        "dob_digits",
        "dob_month",
        "dob_year",
        "identifiers",
        "identifiers_by_kind",
        "names",
        "only_identifier",
        "only_identifier_kind",
        "postcode",
        "record",
        "sex",
        "state",
        "street",
    )

    def __init__(self, record: MatchRecord) -> None:
        self.record = record
        forms: list[NameForm] = [NameForm(record.given_name, record.surname)]
        for given, surname in record.other_names:
            form = NameForm(given, surname)
            if (form.given or form.surname) and form not in forms:
                forms.append(form)
        self.names = tuple(forms)
        dob = record.dob
        self.dob_year = dob.year if dob is not None else None
        self.dob_month = dob.month if dob is not None else None
        self.dob_day = dob.day if dob is not None else None
        if dob is not None and dob.year is not None and dob.month and dob.day:
            self.dob_digits = f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
        else:
            self.dob_digits = ""
        self.sex = _SEXES.get(normalise(record.sex), "")
        self.street = normalise(record.street)
        self.city = normalise(record.city)
        self.postcode = compact(record.postcode)
        self.state = compact(record.state)
        identifiers = tuple(dict.fromkeys(i.strip() for i in record.identifiers if i.strip()))
        self.identifiers = frozenset(identifiers)
        by_kind: dict[str, set[str]] = {}
        for identifier in identifiers:
            kind, colon, value = identifier.partition(":")
            if not colon:
                kind, value = "", identifier
            by_kind.setdefault(kind, set()).add(value)
        self.identifiers_by_kind = {kind: frozenset(v) for kind, v in by_kind.items()}
        self.only_identifier = identifiers[0] if len(identifiers) == 1 else ""
        self.only_identifier_kind = next(iter(by_kind)) if len(identifiers) == 1 else ""

    def __repr__(self) -> str:
        return f"Prepared({self.record.id!r})"


def prepare(record: MatchRecord) -> Prepared:
    """Normalise one record for comparison and indexing."""
    return Prepared(record)


def _key(*parts: str) -> str:
    return ":".join(parts)[:MAX_KEY_LENGTH]


def _short(text: str) -> str:
    return text[:_KEY_NAME_LENGTH]


def _date_without_order(p: Prepared) -> str:
    """The full date with day and month in ascending order, so that a record whose day and
    month were swapped gets the same key."""
    assert p.dob_year is not None
    assert p.dob_month is not None
    assert p.dob_day is not None
    low, high = sorted((p.dob_month, p.dob_day))
    return f"{p.dob_year:04d}{low:02d}{high:02d}"


def _sound(name: str) -> str:
    """The start of a name's phonetic code: short enough that a slip late in a long name
    ("hingston", "hingstxon") keeps the key, long enough to stay selective."""
    return phonetic(name)[:KEY_PHONETIC_LENGTH]


def _address_key(street: str) -> str:
    """House number and the sound of the first word of the street name ("12 Pine St" gives
    "12:PN"), or "" when the street has no number or no name."""
    number = name = ""
    for token in street.split():
        if token.isdigit():
            number = number or token
        elif not name and not any(c.isdigit() for c in token):
            name = token
    if not number or not name:
        return ""
    return f"{number[:8]}:{_sound(name)}"


def blocking_keys(p: Prepared) -> frozenset[str]:
    """Keys for batch linking and for matching a whole incoming record.

    For the main name:
      "sy"  surname sound + year of birth;
      "gd"  given initial + full date of birth, and surname initial + full date of birth
            (day and month in ascending order, so that a swap of day and month, or of
            given name and surname, keeps the key);
      "nm"  the sounds of given name and surname in alphabetical order (survives a missing
            date of birth and swapped names);
      "nk"  formal name behind a nickname + surname sound (Bill Smith finds William Smith
            without a date of birth);
      "dm"  day and month of birth + given name sound (survives a wrong year);
      "pc"  postcode + surname initial;
      "ad"  house number + sound of the street name (survives a new surname, a missing
            date of birth and most misspellings of the street, for people with an address);
    for each alias "sy", "gd" (given initial), "nm" and "nk"; and one "id" per identifier.
    A compound surname ("Garcia-Lopez", "de la Cruz") adds an "sy" key per part. Most people
    have seven to ten keys; a given name that stands for several formal names ("Al") and
    aliases add a few more.
    """
    keys: set[str] = set()
    date = _date_without_order(p) if p.dob_digits else ""
    for position, form in enumerate(p.names):
        surname_sound = _sound(form.surname) if form.surname else ""
        given_sound = _sound(form.given) if form.given else ""
        if surname_sound and p.dob_year is not None:
            keys.add(_key("sy", surname_sound, str(p.dob_year)))
            if form.surname_is_compound:
                for part in form.surname_parts:
                    keys.add(_key("sy", _sound(part), str(p.dob_year)))
        if date and form.given_initial:
            keys.add(_key("gd", form.given_initial, date))
        if given_sound and surname_sound:
            keys.add(_key("nm", *sorted((given_sound, surname_sound))))
        if surname_sound and form.given_groups:
            for canonical in form.given_canonical:
                keys.add(_key("nk", _short(canonical), surname_sound))
        if position == 0:
            if date and form.surname_initial:
                keys.add(_key("gd", form.surname_initial, date))
            if p.dob_digits and given_sound:
                keys.add(_key("dm", f"{p.dob_day:02d}{p.dob_month:02d}", given_sound))
            if p.postcode and form.surname_initial:
                keys.add(_key("pc", _short(p.postcode), form.surname_initial))
    address = _address_key(p.street)
    if address:
        keys.add(_key("ad", address))
    for identifier in p.identifiers:
        keys.add(_key("id", identifier))
    return frozenset(keys)


def search_keys(p: Prepared) -> frozenset[str]:
    """Keys for an interactive search from part of a record.

    They need one field only: the sound of each surname and of each part of a multi-part
    surname ("s"), the sound of each given name ("g"), the formal name behind each given
    name or nickname ("n", so "Bill" finds "William"), and each identifier ("id"). Aliases
    contribute the same keys as the main name.
    """
    keys: set[str] = set()
    for form in p.names:
        if form.surname:
            keys.add(_key("s", _sound(form.surname)))
            for part in form.surname_parts:
                if part != form.surname:
                    keys.add(_key("s", _sound(part)))
        if form.given:
            keys.add(_key("g", _sound(form.given)))
        for canonical in form.given_canonical:
            keys.add(_key("n", _short(canonical)))
    for identifier in p.identifiers:
        keys.add(_key("id", identifier))
    return frozenset(keys)
