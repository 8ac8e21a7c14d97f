"""The policy form writes lists as lines of text ("CODE | Label | category"). These read
them back, naming the line of every mistake, and write rules out the same way for the form
to start from. Blank lines are ignored; every error is reported, not only the first."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from tandem.policy.rules import HistoryRule, Offence, PolicyRules, SubstanceLimit

SEPARATOR = "|"


class LinesError(ValueError):
    """One message per bad line, each starting "Line N: "."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def parse_offences(text: str) -> tuple[Offence, ...]:
    seen: dict[str, int] = {}

    def one(number: int, parts: list[str]) -> Offence:
        code, label, category = _parts(parts, ("the code", "the label", "the category"))
        key = " ".join(code.split()).upper()
        if key in seen:
            raise ValueError(f"the offence code {code!r} is already on line {seen[key]}")
        seen[key] = number
        return Offence(code=code, label=label, category=category.lower())

    return _parse(text, 3, "the code, the label and the category", one)


def parse_quantity_limits(text: str) -> tuple[SubstanceLimit, ...]:
    seen: dict[tuple[str, str], int] = {}

    def one(number: int, parts: list[str]) -> SubstanceLimit:
        substance, form, grams = _parts(parts, ("the substance", "the form", "the quantity"))
        key = (substance.casefold(), form.casefold())
        if key in seen:
            raise ValueError(f"{substance} ({form}) already has a limit on line {seen[key]}")
        seen[key] = number
        written = re.sub(r"\s*(g|grams?)\s*$", "", grams, flags=re.IGNORECASE)
        try:
            max_grams = Decimal(written)
        except InvalidOperation:
            raise ValueError(f"the quantity {grams!r} is not a number") from None
        if not max_grams.is_finite():
            raise ValueError(f"the quantity {grams!r} is not a number")
        if max_grams < 0:
            raise ValueError(f"the quantity {grams!r} must be zero or more")
        return SubstanceLimit(substance=substance, form=form, max_grams=max_grams)

    return _parse(text, 3, "the substance, the form and the most grams allowed", one)


def parse_history(text: str) -> tuple[HistoryRule, ...]:
    seen: dict[str, int] = {}

    def one(number: int, parts: list[str]) -> HistoryRule:
        category, label, years = _parts(parts, ("the category", "the label", "the years"))
        key = category.casefold()
        if key in seen:
            raise ValueError(f"the category {category!r} is already on line {seen[key]}")
        seen[key] = number
        if not re.fullmatch(r"\d{1,3}", years):
            raise ValueError(f"the look-back {years!r} is not a whole number of years")
        if int(years) > 100:
            raise ValueError(f"the look-back {years!r} is more than 100 years")
        return HistoryRule(category=category.lower(), label=label, lookback_years=int(years))

    return _parse(text, 3, "the category, the label and the look-back in years", one)


def parse_areas(text: str) -> tuple[str, ...]:
    seen: dict[str, int] = {}

    def one(number: int, parts: list[str]) -> str:
        area = " ".join(SEPARATOR.join(parts).split())
        if area.casefold() in seen:
            raise ValueError(f"{area!r} is already on line {seen[area.casefold()]}")
        seen[area.casefold()] = number
        return area

    return _parse(text, 0, "", one)


def offences_text(rules: PolicyRules) -> str:
    return "\n".join(f"{o.code} | {o.label} | {o.category}" for o in rules.eligible_offences)


def quantity_limits_text(rules: PolicyRules) -> str:
    return "\n".join(
        f"{q.substance} | {q.form} | {format(q.max_grams, 'f')}" for q in rules.quantity_limits
    )


def history_text(rules: PolicyRules) -> str:
    return "\n".join(
        f"{h.category} | {h.label} | {h.lookback_years}" for h in rules.disqualifying_history
    )


def areas_text(rules: PolicyRules) -> str:
    return "\n".join(rules.catchment_areas)


def _parse[T](
    text: str, width: int, wants: str, one: Callable[[int, list[str]], T]
) -> tuple[T, ...]:
    items: list[T] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(SEPARATOR)]
        if width and len(parts) != width:
            errors.append(
                f"Line {number}: write {wants}, separated by “{SEPARATOR}” "
                f"(found {len(parts)} part{'' if len(parts) == 1 else 's'})."
            )
            continue
        try:
            items.append(one(number, parts))
        except ValueError as error:
            errors.append(f"Line {number}: {error}.")
    if errors:
        raise LinesError(errors)
    return tuple(items)


def _parts(parts: list[str], names: tuple[str, ...]) -> list[str]:
    for part, name in zip(parts, names, strict=True):
        if not part:
            raise ValueError(f"{name} is missing")
    return parts
