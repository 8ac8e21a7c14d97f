"""The comparisons of two prepared records and their levels.

`compare(a, b)` returns a gamma vector: one level per comparison, in the order of
COMPARISONS, where 0 is the strongest agreement, the last level is plain disagreement and
-1 means a value is missing on one side (missing is neutral: it weighs nothing). The first
level whose test passes is the level of the pair.

given name
    0 same; 1 nickname of the other (bundled table: Bill/William, Paco/Francisco);
    2 Jaro-Winkler >= 0.92; 3 Jaro-Winkler >= 0.80; 4 sound alike (Metaphone); 5 an initial
    against a full name with the same first letter; 6 differ.
surname
    0 same (spaces and hyphens ignored); 1 one part of a two-part surname agrees
    ("Garcia-Lopez"/"Lopez", "de la Cruz"/"Cruz"); 2 Jaro-Winkler >= 0.92;
    3 Jaro-Winkler >= 0.80; 4 sound alike; 5 differ.
name order
    0 as written; 1 given name and surname swapped: each side's given name matches the
    other's surname and the other way round (same or Jaro-Winkler >= 0.92) while the names
    as written do not. The name levels are then taken from the swapped names: the closer
    of the two crossed pairs gives the given name level, the other the surname level (so
    that the result does not depend on which side comes first). This comparison
    carries no weight (a swap is about as common in records of one person as in records of
    two people who share a name); it is there so that explanations can say so. Missing
    unless both sides have both names.
date of birth
    0 same; 1 day and month swapped; 2 year one apart, day and month the same; 3 one digit
    different or two neighbouring digits swapped (a typing slip); 4 same year and month;
    5 agrees as far as both are known (one side has only a year, or a year and month);
    6 differ.
identifier
    0 an identifier is the same; 1 identifiers of the same kind one character apart or with
    two neighbouring characters swapped; 2 identifiers of the same kind all differ. Missing
    when either side has none, or when they share no kind ("ssn:" against "booking:").
sex: 0 same; 1 differ.
postcode: 0 same; 1 one character apart or two neighbouring characters swapped; 2 differ.
city: 0 same; 1 Jaro-Winkler >= 0.90; 2 differ.
street: 0 same; 1 Jaro-Winkler >= 0.90; 2 Jaro-Winkler >= 0.75; 3 differ.
state: 0 same; 1 differ.

Names: every name of each side (main name and aliases) is compared with every name of the
other, and the best-agreeing pair of names gives both name levels. Middle names are kept
on the record but not compared: they are missing too often, and a person who goes by a
middle name usually has it recorded as an alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler

from tandem.matching.core.prepared import NameForm, Prepared

Gamma = tuple[int, ...]
MISSING = -1


@dataclass(frozen=True, slots=True)
class Level:
    key: str
    phrase: str  # plain words for explanations; "" when another comparison says it


@dataclass(frozen=True, slots=True)
class Comparison:
    key: str
    missing_phrase: str  # "" when a missing value is not worth mentioning
    levels: tuple[Level, ...]
    scored: bool = True  # False: shown in explanations, never weighed


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        "no given name on one side",
        (
            Level("exact", "same given name"),
            Level("nickname", "given name is a nickname of the other"),
            Level("jw92", "given names spelt almost the same"),
            Level("jw80", "given names spelt similarly"),
            Level("phonetic", "given names sound alike"),
            Level("initial", "given name matches an initial"),
            Level("differ", "given names differ"),
        ),
    ),
    Comparison(
        "surname",
        "no surname on one side",
        (
            Level("exact", "same surname"),
            Level("part", "share one part of a two-part surname"),
            Level("jw92", "surnames spelt almost the same"),
            Level("jw80", "surnames spelt similarly"),
            Level("phonetic", "surnames sound alike"),
            Level("differ", "surnames differ"),
        ),
    ),
    Comparison(
        "name_order",
        "",
        (Level("as_written", ""), Level("swapped", "given name and surname swapped")),
        scored=False,
    ),
    Comparison(
        "date_of_birth",
        "no date of birth on one side",
        (
            Level("exact", "same date of birth"),
            Level("transposed", "day and month of birth swapped"),
            Level("year_off_by_one", "year of birth one apart, day and month the same"),
            Level("typo", "dates of birth one digit apart"),
            Level("year_month", "same month and year of birth"),
            Level("partial", "date of birth agrees as far as it is known"),
            Level("differ", "dates of birth differ"),
        ),
    ),
    Comparison(
        "identifier",
        "",
        (
            Level("exact", "same identifier"),
            Level("typo", "identifiers one character apart"),
            Level("differ", "identifiers differ"),
        ),
    ),
    Comparison("sex", "", (Level("exact", "same sex"), Level("differ", "sex differs"))),
    Comparison(
        "postcode",
        "",
        (
            Level("exact", "same postcode"),
            Level("typo", "postcodes one character apart"),
            Level("differ", "postcodes differ"),
        ),
    ),
    Comparison(
        "city",
        "",
        (
            Level("exact", "same city"),
            Level("jw90", "city spelt almost the same"),
            Level("differ", "cities differ"),
        ),
    ),
    Comparison(
        "street",
        "",
        (
            Level("exact", "same street address"),
            Level("jw90", "street address spelt almost the same"),
            Level("jw75", "street address similar"),
            Level("differ", "street addresses differ"),
        ),
    ),
    Comparison("state", "", (Level("exact", "same state"), Level("differ", "states differ"))),
)
COMPARISON_INDEX = {comparison.key: i for i, comparison in enumerate(COMPARISONS)}

# Level numbers, named for the code below (they follow the tuples above).
G_EXACT, G_NICK, G_JW92, G_JW80, G_PHON, G_INITIAL, G_DIFF = range(7)
S_EXACT, S_PART, S_JW92, S_JW80, S_PHON, S_DIFF = range(6)
O_AS_WRITTEN, O_SWAPPED = range(2)
D_EXACT, D_TRANSPOSED, D_YEAR1, D_TYPO, D_YEAR_MONTH, D_PARTIAL, D_DIFF = range(7)

# Ranks used only to pick the best pair of names when people have aliases: a missing name
# ranks in the middle, so that a name present and agreeing beats one absent.
_GIVEN_RANK = (0, 1, 2, 4, 5, 5, 8)
_SURNAME_RANK = (0, 1, 2, 4, 5, 8)
_MISSING_RANK = 6

_similarity = JaroWinkler.normalized_similarity
_osa = OSA.distance
_cache: dict[tuple[str, str], float] = {}
_CACHE_LIMIT = 500_000


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity, remembered: the same pairs of names and places come back
    again and again, and a lookup costs a tenth of the computation."""
    key = (a, b) if a < b else (b, a)
    score = _cache.get(key)
    if score is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        score = _cache[key] = _similarity(key[0], key[1])
    return score


def one_slip_apart(a: str, b: str) -> bool:
    """True when equal-length strings differ in one character, or by two neighbouring
    characters swapped ("1980" and "1908", "4223" and "4232")."""
    return len(a) == len(b) and a != b and _osa(a, b, score_cutoff=1) <= 1


def _name_levels(x: NameForm, y: NameForm) -> tuple[int, int, int]:
    xg, yg, xs, ys = x.given, y.given, x.surname, y.surname
    if xg and yg:
        if xg == yg:
            given = G_EXACT
        elif x.given_groups and not x.given_groups.isdisjoint(y.given_groups):
            given = G_NICK
        elif len(xg) == 1 or len(yg) == 1:
            given = G_INITIAL if xg[0] == yg[0] else G_DIFF
        else:
            score = jaro_winkler(xg, yg)
            if score >= 0.92:
                given = G_JW92
            elif score >= 0.80:
                given = G_JW80
            elif x.given_phonetic and x.given_phonetic == y.given_phonetic:
                given = G_PHON
            else:
                given = G_DIFF
    else:
        given = MISSING
    if xs and ys:
        if xs == ys:
            surname = S_EXACT
        elif (x.surname_is_compound or y.surname_is_compound) and not set(
            x.surname_parts
        ).isdisjoint(y.surname_parts):
            surname = S_PART
        else:
            score = jaro_winkler(xs, ys)
            if score >= 0.92:
                surname = S_JW92
            elif score >= 0.80:
                surname = S_JW80
            elif x.surname_phonetic and x.surname_phonetic == y.surname_phonetic:
                surname = S_PHON
            else:
                surname = S_DIFF
    else:
        surname = MISSING
    if given == MISSING or surname == MISSING:
        return given, surname, MISSING
    if given > G_JW92 and surname > S_JW92:
        crossed_given = xg == ys or jaro_winkler(xg, ys) >= 0.92
        if crossed_given and (xs == yg or jaro_winkler(xs, yg) >= 0.92):
            # Each crossed pair agrees exactly or nearly. Which one counts as the given name
            # depends on the side one starts from, so the closer pair is given the given
            # name level and the other the surname level, whatever the order.
            exact_pairs = (xg == ys) + (xs == yg)
            return (
                G_EXACT if exact_pairs >= 1 else G_JW92,
                S_EXACT if exact_pairs == 2 else S_JW92,
                O_SWAPPED,
            )
    return given, surname, O_AS_WRITTEN


def _best_name_levels(a: Prepared, b: Prepared) -> tuple[int, int, int]:
    if len(a.names) == 1 and len(b.names) == 1:
        return _name_levels(a.names[0], b.names[0])
    best = (MISSING, MISSING, MISSING)
    best_rank = (1 << 30, 0, 0, 0)
    for x in a.names:
        for y in b.names:
            levels = _name_levels(x, y)
            given, surname, _ = levels
            rank = (
                (_GIVEN_RANK[given] if given >= 0 else _MISSING_RANK)
                + (_SURNAME_RANK[surname] if surname >= 0 else _MISSING_RANK),
                *levels,
            )
            # Ties are broken on the levels themselves, so that compare(a, b) and
            # compare(b, a) always pick the same pair of names.
            if rank < best_rank:
                best, best_rank = levels, rank
    return best


def _date_level(a: Prepared, b: Prepared) -> int:
    if a.dob_year is None or b.dob_year is None:
        return MISSING
    if a.dob_digits and b.dob_digits:
        if a.dob_digits == b.dob_digits:
            return D_EXACT
        if a.dob_year == b.dob_year and a.dob_month == b.dob_day and a.dob_day == b.dob_month:
            return D_TRANSPOSED
        if a.dob_month == b.dob_month and a.dob_day == b.dob_day:
            return D_YEAR1 if abs(a.dob_year - b.dob_year) == 1 else D_DIFF
        if _osa(a.dob_digits, b.dob_digits, score_cutoff=1) <= 1:
            return D_TYPO
        if a.dob_year == b.dob_year and a.dob_month == b.dob_month:
            return D_YEAR_MONTH
        return D_DIFF
    if a.dob_year != b.dob_year:
        return D_DIFF
    if a.dob_month is None or b.dob_month is None or a.dob_month == b.dob_month:
        return D_PARTIAL
    return D_DIFF


def _identifier_level(a: Prepared, b: Prepared) -> int:
    if not a.identifiers or not b.identifiers:
        return MISSING
    x, y = a.only_identifier, b.only_identifier
    if x and y:
        # The common case, one identifier each, without building any sets.
        if x == y:
            return 0
        if a.only_identifier_kind != b.only_identifier_kind:
            return MISSING
        return 1 if one_slip_apart(x, y) else 2
    if not a.identifiers.isdisjoint(b.identifiers):
        return 0
    shared_kind = False
    for kind, values in a.identifiers_by_kind.items():
        others = b.identifiers_by_kind.get(kind)
        if others is None:
            continue
        shared_kind = True
        for x in values:
            for y in others:
                if one_slip_apart(x, y):
                    return 1
    return 2 if shared_kind else MISSING


def compare(a: Prepared, b: Prepared) -> Gamma:
    """The level of each comparison for one pair; symmetric in a and b."""
    given, surname, order = _best_name_levels(a, b)
    x, y = a.postcode, b.postcode
    postcode = (0 if x == y else 1 if one_slip_apart(x, y) else 2) if x and y else MISSING
    x, y = a.city, b.city
    city = (0 if x == y else 1 if jaro_winkler(x, y) >= 0.90 else 2) if x and y else MISSING
    x, y = a.street, b.street
    if x and y:
        if x == y:
            street = 0
        else:
            # Not remembered: a pair of street addresses rarely comes back.
            score = _similarity(x, y) if x < y else _similarity(y, x)
            street = 1 if score >= 0.90 else 2 if score >= 0.75 else 3
    else:
        street = MISSING
    return (
        given,
        surname,
        order,
        _date_level(a, b),
        _identifier_level(a, b),
        (0 if a.sex == b.sex else 1) if a.sex and b.sex else MISSING,
        postcode,
        city,
        street,
        (0 if a.state == b.state else 1) if a.state and b.state else MISSING,
    )
