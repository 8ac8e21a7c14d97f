from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import field_validator

from tandem.matching.core import PartialDate


class ErrorOut(Schema):
    detail: str


class ValidationErrorItemOut(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """Ninja's answer to a request whose parameters do not fit the schema (status 422)."""

    detail: list[ValidationErrorItemOut]


class MeOut(Schema):
    principal: str
    kind: str
    site: UUID
    organization: UUID
    role: str


class Part2NoticeOut(Schema):
    """The notice that accompanies a disclosure of a 42 CFR Part 2 programme's information
    (42 CFR 2.32). A receiving system must keep it with what it received."""

    statement: str = Field(description="The statement of 42 CFR 2.32(a)(1), word for word.")
    consents: list[str] = Field(
        description="The scope of each release of information the disclosure rests on "
        "(42 CFR 2.32(b))."
    )


PART2_NOTICE_DESCRIPTION = (
    "Present when this answer discloses information a 42 CFR Part 2 programme holds to a "
    "caller outside it (under a release that programme recorded naming the caller's "
    "organisation): the notice must accompany the information wherever it goes, and the "
    "disclosure is recorded for the participant's accounting (42 CFR 2.25). Absent "
    "otherwise."
)


def part2_notice_out(notice: Any) -> Part2NoticeOut | None:
    """A selector's Part2Notice, as the API shows it."""
    if notice is None:
        return None
    return Part2NoticeOut(statement=notice.statement, consents=list(notice.consents))


class PersonSummaryOut(Schema):
    id: UUID
    display_name: str
    enrollment_status: str | None
    part2_notice: Part2NoticeOut | None = Field(None, description=PART2_NOTICE_DESCRIPTION)


class EnrollmentOut(Schema):
    status: str
    provider: str
    on_call_phone: str
    enrolled_on: date


class NameOut(Schema):
    kind: str
    given_name: str
    family_name: str


class PersonOut(Schema):
    id: UUID
    display_name: str | None = None
    date_of_birth: str | None = None
    names: list[NameOut] | None = None
    enrollment: EnrollmentOut | None = None
    part2_notice: Part2NoticeOut | None = Field(None, description=PART2_NOTICE_DESCRIPTION)


class IdentifierIn(Schema):
    kind: str = Field(max_length=20, pattern=r"^[a-z_]+$")
    value: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00]*$")


class AliasIn(Schema):
    given_name: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    family_name: str = Field("", max_length=100, pattern=r"^[^\x00]*$")


class MatchIn(Schema):
    """One record to look for among the site's people. Every field may be empty."""

    given_name: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    middle_name: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    family_name: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    date_of_birth: str = Field(
        "",
        max_length=10,
        description="YYYY-MM-DD, YYYY-MM or YYYY; empty when unknown.",
        pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?)?$",
    )
    sex: str = Field("", max_length=10, pattern=r"^[^\x00]*$")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    aliases: list[AliasIn] = Field(default_factory=list, max_length=10)
    limit: int = Field(10, ge=1, le=25)

    @field_validator("date_of_birth")
    @classmethod
    def _real_date(cls, value: str) -> str:
        # The pattern admits 1980-13-45; the matcher's parser says what is wrong with it.
        PartialDate.parse(value)
        return value


class MatchCandidateOut(Schema):
    id: UUID
    display_name: str
    date_of_birth: str
    probability: float
    band: str = Field(description="link, review or no-link: how sure the matcher is.")
    explanation: str
    enrollment_status: str | None
    part2_notice: Part2NoticeOut | None = Field(None, description=PART2_NOTICE_DESCRIPTION)
