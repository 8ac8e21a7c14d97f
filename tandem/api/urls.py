"""Tandem's API, version 1, under /api/v1/. Operations call selectors and services only."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError

from tandem.access.decisions import Capability, can, default_purpose
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.api.auth import MemberSessionAuth, TokenAuth
from tandem.api.referrals import router as referrals_router
from tandem.api.schemas import (
    EnrollmentOut,
    ErrorOut,
    MatchCandidateOut,
    MatchIn,
    MeOut,
    NameOut,
    PersonOut,
    PersonSummaryOut,
    ValidationErrorOut,
    part2_notice_out,
)
from tandem.audit.disclosures import Channel
from tandem.matching.core import MatchRecord, PartialDate
from tandem.matching.records import identifier_key
from tandem.matching.selectors import Candidate, person_candidates, person_search
from tandem.people.selectors import PersonListItem, person_get, person_list
from tandem.tenancy.models import Organization

api = NinjaAPI(
    title="Tandem API",
    version="1",
    description=(
        "Case coordination for LEAD sites. Every operation answers under the access decision; "
        "a record outside the caller's scope answers 404, exactly like one that does not exist."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), MemberSessionAuth()],
)
api.add_router("/referrals", referrals_router)

# Answers every operation can give besides its own: no or unknown credentials (401), and a
# signed-in member whose role needs a second factor that is not set up yet (403, answered by
# tandem.accounts.middleware.RequireMFAMiddleware before the API sees the request).
REFUSED = {401: ErrorOut, 403: ErrorOut}
# Parameters that do not fit the schema; ninja answers 422 with pydantic's error list.
INVALID = {422: ValidationErrorOut}
# A request body that is not JSON at all; ninja answers 400 before validating it.
UNPARSABLE = {400: ErrorOut}


def _viewer(request: HttpRequest) -> Viewer:
    viewer = request.auth  # type: ignore[attr-defined]
    assert isinstance(viewer, Viewer)
    return viewer


@api.get("/me", response={200: MeOut, **REFUSED}, tags=["identity"])
def me(request: HttpRequest) -> MeOut:
    """Who the API sees: the member or partner system, its site, organisation and role."""
    viewer = _viewer(request)
    organization = Organization.objects.select_related("site").get(pk=viewer.organization_id)
    return MeOut(
        principal=viewer.label,
        kind="token" if viewer.api_token_id else "member",
        site=organization.site.public_id,
        organization=organization.public_id,
        role=viewer.role.value,
    )


class PeopleQuery(Schema):
    # PostgreSQL text cannot hold NUL, so a NUL in the query is refused here (422) rather
    # than failing in the database (500).
    q: str = Field(
        "",
        max_length=100,
        pattern=r"^[^\x00]*$",
        description="Names, a date of birth or an identifier, in any order.",
    )


@api.get(
    "/people",
    response={200: list[PersonSummaryOut], **REFUSED, **INVALID},
    tags=["people"],
)
def people(request: HttpRequest, filters: Query[PeopleQuery]) -> list[PersonSummaryOut]:
    """People whose identity the caller may see, at most 50, optionally matching `q`."""
    viewer = _viewer(request)
    # The same search as the people page: ranked by the matcher when there is a query.
    rows: Sequence[Candidate | PersonListItem] = (
        person_search(viewer=viewer, query=filters.q, channel=Channel.API)
        if filters.q.strip()
        else person_list(viewer=viewer, channel=Channel.API)
    )
    return [
        PersonSummaryOut(
            id=person.public_id,
            display_name=person.display_name,
            enrollment_status=person.enrollment_status,
            part2_notice=part2_notice_out(person.part2_notice),
        )
        for person in rows
    ]


@api.post(
    "/people/match",
    response={200: list[MatchCandidateOut], **UNPARSABLE, **REFUSED, **INVALID},
    tags=["people"],
)
def people_match(request: HttpRequest, payload: MatchIn) -> list[MatchCandidateOut]:
    """People who may be the one described, most likely first, each with a probability, a
    band (link / review / no-link) and why. Only roles that may find people receive the
    list; a police or legal role is refused (403) rather than told "no match"."""
    viewer = _viewer(request)
    if not can(viewer, Capability.FIND_PEOPLE):
        raise HttpError(403, "Your role may not search for people.")
    record = MatchRecord(
        id="query",
        given_name=payload.given_name,
        middle_name=payload.middle_name,
        surname=payload.family_name,
        dob=PartialDate.parse(payload.date_of_birth),
        sex=payload.sex,
        identifiers=tuple(identifier_key(i.kind, i.value) for i in payload.identifiers),
        other_names=tuple((a.given_name, a.family_name) for a in payload.aliases),
    )
    candidates = person_candidates(
        viewer=viewer, record=record, limit=payload.limit, channel=Channel.API
    )
    return [
        MatchCandidateOut(
            id=c.public_id,
            display_name=c.display_name,
            date_of_birth=c.date_of_birth,
            probability=c.probability,
            band=c.band,
            explanation=c.explanation,
            enrollment_status=c.enrollment_status,
            part2_notice=part2_notice_out(c.part2_notice),
        )
        for c in candidates
    ]


# Declared after /people/match, whose path would otherwise be read as a person's id.


@api.get(
    "/people/{person_id}",
    response={200: PersonOut, 404: ErrorOut, **REFUSED, **INVALID},
    tags=["people"],
)
def person(request: HttpRequest, person_id: UUID) -> PersonOut:
    """One person, showing only the categories the caller may see. Which categories were
    withheld is not said: under 42 CFR Part 2 even that could tell who is a patient."""
    viewer = _viewer(request)
    purpose = default_purpose(viewer.role)
    if purpose is None:
        raise OutOfScope("Not found")
    # Identifiers are not part of PersonOut: not loaded, which keeps the read in budget.
    record = person_get(
        viewer=viewer,
        public_id=person_id,
        purpose=purpose,
        channel=Channel.API,
        with_identifiers=False,
    )
    out = PersonOut(id=record.public_id, part2_notice=part2_notice_out(record.part2_notice))
    if Category.IDENTITY in record.categories:
        out.display_name = record.display_name
        out.date_of_birth = record.date_of_birth
        out.names = [
            NameOut(kind=n.kind, given_name=n.given_name, family_name=n.family_name)
            for n in record.names
        ]
    if record.enrollment is not None:
        out.enrollment = EnrollmentOut(
            status=record.enrollment.status,
            provider=record.enrollment.provider,
            on_call_phone=record.enrollment.on_call_phone,
            enrolled_on=record.enrollment.enrolled_on,
        )
    return out
