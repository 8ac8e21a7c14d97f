from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ninja import Schema


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


class PersonSummaryOut(Schema):
    id: UUID
    display_name: str
    enrollment_status: str | None


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
