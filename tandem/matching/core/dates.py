"""Dates of birth that may be known only in part (a year, or a year and a month)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of which the year, the year and month, or the whole date is known.

    A day without a month, or a month without a year, cannot be built: such a date says
    too little to compare and is better left missing.
    """

    year: int | None
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.year is None and (self.month is not None or self.day is not None):
            raise ValueError("a month or day needs a year")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.year is not None and not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            assert self.year is not None
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"{_MONTHS[self.month]} {self.year} has {last} days, not {self.day}"
                )

    @classmethod
    def parse(cls, text: str) -> PartialDate | None:
        """Read "1980-03-04", "1980-03", "1980" or "19800304"; "" gives None.

        Anything else raises ValueError with a message a data clerk can act on.
        """
        stripped = text.strip()
        if not stripped:
            return None
        match = _ISO.match(stripped) or _COMPACT.match(stripped)
        if match is None:
            raise ValueError(
                f"'{stripped}' is not a date: write it as YYYY-MM-DD, YYYY-MM, YYYY or YYYYMMDD"
            )
        year_text, month_text, day_text = match.groups()
        year = int(year_text)
        month = int(month_text) if month_text else None
        day = int(day_text) if day_text else None
        if year == 0:
            raise ValueError(f"'{stripped}' is not a date: year 0 does not exist")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{stripped}' is not a date: month {month} does not exist")
        if day is not None:
            assert month is not None
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(
                    f"'{stripped}' is not a date: {_MONTHS[month]} {year} has {last} days, "
                    f"not {day}"
                )
        return cls(year, month, day)

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    def isoformat(self) -> str:
        """The shortest ISO 8601 text that says what is known ("1980", "1980-03", ...)."""
        if self.year is None:
            return ""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()
