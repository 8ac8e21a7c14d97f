from __future__ import annotations

from uuid import UUID

from ninja import Schema


class ErrorOut(Schema):
    detail: str


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
    enrolled_on: str


class NameOut(Schema):
    kind: str
    given_name: str
    family_name: str


class PersonOut(Schema):
    id: UUID
    categories: list[str]
    display_name: str | None = None
    date_of_birth: str | None = None
    names: list[NameOut] | None = None
    enrollment: EnrollmentOut | None = None
