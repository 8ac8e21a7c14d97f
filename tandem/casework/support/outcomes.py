"""The measures of an outcome snapshot as one plain value, so that a snapshot being taken can
be compared with the last one (a new snapshot is taken only when something changed) and the
intake can hold its baseline before the snapshot exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from tandem.casework.support.domains import (
    EmploymentStatus,
    HousingStatus,
    IncomeSource,
    Insurance,
    Moud,
)

# More than this many overdoses or visits in 90 days is a typing error, not a count.
MAX_COUNT_90D = 90


@dataclass(frozen=True, slots=True)
class Outcomes:
    housing_status: str
    income_benefits: tuple[str, ...]
    health_insurance: str
    employment: str
    moud: str
    overdoses_90d: int | None
    ed_visits_90d: int | None

    def __post_init__(self) -> None:
        # Compared as a set: the order the boxes were ticked in is not a change.
        object.__setattr__(self, "income_benefits", tuple(sorted(set(self.income_benefits))))

    def check(self) -> None:
        """A ValidationError, keyed by measure, for anything that is not a known value."""
        errors: dict[str, str] = {}
        if self.housing_status not in HousingStatus.values:
            errors["housing_status"] = "Choose where the participant lives now."
        unknown = set(self.income_benefits) - set(IncomeSource.values)
        if unknown:
            errors["income_benefits"] = "Choose income and benefits from the list."
        elif IncomeSource.NONE in self.income_benefits and len(self.income_benefits) > 1:
            errors["income_benefits"] = "“No income or benefits” cannot go with a source."
        if self.health_insurance not in Insurance.values:
            errors["health_insurance"] = "Choose the health insurance."
        if self.employment not in EmploymentStatus.values:
            errors["employment"] = "Choose where the participant is on the employment continuum."
        if self.moud not in Moud.values:
            errors["moud"] = "Choose the medication for opioid use disorder."
        for name in ("overdoses_90d", "ed_visits_90d"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_COUNT_90D:
                errors[name] = f"Give a number from 0 to {MAX_COUNT_90D}, or leave it empty."
        if errors:
            raise ValidationError(errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "housing_status": self.housing_status,
            "income_benefits": list(self.income_benefits),
            "health_insurance": self.health_insurance,
            "employment": self.employment,
            "moud": self.moud,
            "overdoses_90d": self.overdoses_90d,
            "ed_visits_90d": self.ed_visits_90d,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcomes:
        return cls(
            housing_status=str(data.get("housing_status") or ""),
            income_benefits=tuple(str(v) for v in data.get("income_benefits") or ()),
            health_insurance=str(data.get("health_insurance") or ""),
            employment=str(data.get("employment") or ""),
            moud=str(data.get("moud") or ""),
            overdoses_90d=_count(data.get("overdoses_90d")),
            ed_visits_90d=_count(data.get("ed_visits_90d")),
        )

    @classmethod
    def from_snapshot(cls, snapshot: Any) -> Outcomes:
        return cls.from_dict({name: getattr(snapshot, name) for name in cls.__slots__})

    def changes_from(self, other: Outcomes) -> list[str]:
        """The names of the measures that differ from `other`."""
        return [name for name in self.__slots__ if getattr(self, name) != getattr(other, name)]


def _count(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[call-overload]
