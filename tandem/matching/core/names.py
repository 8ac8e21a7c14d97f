"""Name normalisation, phonetic codes and the bundled nickname table.

Everything here is cached per distinct string: a site has far fewer distinct names than
people, and the same names come back in every comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources

import jellyfish

# Words that start a multi-part surname ("de la Cruz", "van der Berg") but say little alone:
# dropped from the parts, so that "de la Cruz" and "Cruz" share the part "cruz".
SURNAME_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "van", "von", "der", "den"}
    | {"le", "du", "y", "e", "st", "ter", "ten", "al", "el", "bin", "ibn"}
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
PHONETIC_LENGTH = 8


@lru_cache(maxsize=65536)
def normalise_tokens(text: str) -> tuple[str, ...]:
    """Lower case, accents stripped, split on anything that is not a letter or digit.

    "José-María  O'Neil" gives ("jose", "maria", "o", "neil"). Letters with no ASCII base
    (ß, ø, æ) are spelt out so that they do not vanish.
    """
    folded = text.casefold().replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", folded)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(token for token in _NOT_ALNUM.split(ascii_text) if token)


def normalise(text: str) -> str:
    """The tokens of `text` joined by single spaces ("  St. Kilda " gives "st kilda")."""
    return " ".join(normalise_tokens(text))


def compact(text: str) -> str:
    """The tokens of `text` run together, so that "Mary Ann", "Mary-Ann" and "Maryann"
    compare equal."""
    return "".join(normalise_tokens(text))


def surname_parts(text: str) -> tuple[str, ...]:
    """The meaningful parts of a surname: "Garcia-Lopez" gives ("garcia", "lopez"),
    "de la Cruz" gives ("cruz",)."""
    tokens = normalise_tokens(text)
    parts = tuple(t for t in tokens if t not in SURNAME_PARTICLES and len(t) > 1)
    return parts or tokens


@lru_cache(maxsize=65536)
def phonetic(name: str) -> str:
    """A sound-alike code (Metaphone) of a normalised name: "catherine" and "kathryn" both
    give "K0RN". Digits carry no sound and are dropped."""
    letters = "".join(c for c in name if c.isalpha())
    if not letters:
        return ""
    return jellyfish.metaphone(letters)[:PHONETIC_LENGTH].upper()


@cache
def _nickname_groups() -> tuple[tuple[tuple[str, ...], ...], Mapping[str, frozenset[int]]]:
    text = resources.files("tandem.matching.core").joinpath("data/nicknames.csv").read_text("utf-8")
    groups: list[tuple[str, ...]] = []
    index: dict[str, set[int]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = tuple(dict.fromkeys(compact(n) for n in line.split(",") if compact(n)))
        if len(names) < 2:
            continue
        number = len(groups)
        groups.append(names)
        for name in names:
            index.setdefault(name, set()).add(number)
    return tuple(groups), {name: frozenset(found) for name, found in index.items()}


def nickname_table() -> tuple[tuple[str, ...], ...]:
    """Every group of the bundled table, the formal name first."""
    return _nickname_groups()[0]


_NO_GROUPS: frozenset[int] = frozenset()


def nickname_groups(name: str) -> frozenset[int]:
    """The numbers of the nickname groups a normalised given name belongs to."""
    return _nickname_groups()[1].get(name, _NO_GROUPS)


def canonical_names(name: str) -> tuple[str, ...]:
    """The formal names a normalised given name stands for ("bill" gives ("william",));
    a name outside the table stands for itself."""
    groups = nickname_groups(name)
    if not groups:
        return (name,)
    table = nickname_table()
    return tuple(sorted({table[g][0] for g in groups}))
