"""Referrals through the API: a police records system (a token of a police organisation)
or a signed-in officer sends a referral; every caller lists and reads the referrals in
its scope. The same services and selectors as the pages, so the same rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tandem.access.roles import POLICE_ROLES
from tandem.access.viewer import Viewer
from tandem.api.schemas import ErrorOut, ValidationErrorOut
from tandem.policy.rules import Evaluation
from tandem.referrals import selectors, services
from tandem.referrals.models import Referral

router = Router(tags=["referrals"])

REFUSED = {401: ErrorOut, 403: ErrorOut}
INVALID = {422: ValidationErrorOut}
UNPARSABLE = {400: ErrorOut}
NO_NUL = r"^[^\x00]*$"


class ReferredPersonIn(Schema):
    given_name: str = Field("", max_length=100, pattern=NO_NUL)
    family_name: str = Field("", max_length=100, pattern=NO_NUL)
    date_of_birth: date | None = None
    approximate_age: int | None = Field(None, ge=0, le=120)
    description: str = Field("", max_length=2000, pattern=NO_NUL)


class ReferralIn(Schema):
    door: Literal["arrest", "social_contact"]
    person: ReferredPersonIn
    occurred_at: datetime
    location_text: str = Field(..., min_length=1, max_length=300, pattern=NO_NUL)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    area: str = Field("", max_length=120, pattern=NO_NUL)
    offence_codes: list[str] = Field(default_factory=list, max_length=5)
    substance: str = Field("", max_length=60, pattern=NO_NUL)
    form: str = Field("", max_length=60, pattern=NO_NUL)
    quantity_grams: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=3)
    dealing_for_profit: bool | None = None
    on_active_supervision: bool | None = None
    in_treatment_court: bool | None = None
    protective_order: bool | None = None
    no_contact_with_participant: bool | None = None
    complainant_consents: bool | None = None
    confidential_informant: bool | None = None
    observations: str = Field("", max_length=4000, pattern=NO_NUL)


class ReasonOut(Schema):
    rule: str
    outcome: str
    text: str


class EligibilityOut(Schema):
    outcome: str
    reasons: list[ReasonOut]
    policy_version: int | None = Field(
        None, description="The site's policy version that gave this result; null: the defaults."
    )


class ReferralOut(Schema):
    id: UUID
    door: str
    status: str = Field(
        description="For police callers only how far the decision has come "
        "(waiting, ineligible, declined, approved): never enrollment."
    )
    status_label: str
    occurred_at: datetime
    location_text: str
    eligibility: EligibilityOut | None
    paged_at: datetime | None


class ReferralsQuery(Schema):
    status: str = Field("", max_length=30, pattern=NO_NUL)


def _viewer(request: HttpRequest) -> Viewer:
    viewer = request.auth  # type: ignore[attr-defined]
    assert isinstance(viewer, Viewer)
    return viewer


def _out(viewer: Viewer, referral: Referral) -> ReferralOut:
    police = viewer.role in POLICE_ROLES
    evaluation = Evaluation.from_dict(referral.evaluation) if referral.evaluation else None
    status, label = referral.status, referral.get_status_display()
    if police:
        shown = selectors.police_status(referral)
        status, label = shown.code, shown.label
    return ReferralOut(
        id=referral.public_id,
        door=referral.door,
        status=status,
        status_label=label,
        occurred_at=referral.occurred_at,
        location_text=referral.location_text,
        eligibility=EligibilityOut(
            outcome=str(evaluation.outcome),
            reasons=[
                ReasonOut(rule=r.rule, outcome=str(r.outcome), text=r.text)
                for r in evaluation.reasons
            ],
            policy_version=referral.policy_version.number if referral.policy_version else None,
        )
        if evaluation
        else None,
        paged_at=referral.handoff_requested_at,
    )


@router.post(
    "",
    response={201: ReferralOut, **REFUSED, **INVALID, **UNPARSABLE},
    summary="Send a referral",
)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[ReferralOut]:
    """An officer's referral through a police door, evaluated with the site's policy in
    force. An eligible or uncertain one pages the on-call case manager; an ineligible one
    is kept and counted. 403 when the site's policy does not open the door to the caller's
    role; 422 with a message when the facts cannot make a referral."""
    viewer = _viewer(request)
    if not services.may_refer(viewer=viewer, door=payload.door):
        raise HttpError(403, "Your site's policy does not open this door to your role.")
    try:
        referral = services.referral_submit(
            actor=getattr(request, "user", None) if viewer.user_id else None,
            viewer=viewer,
            door=payload.door,
            subject=services.Subject(
                given_name=payload.person.given_name,
                family_name=payload.person.family_name,
                date_of_birth=payload.person.date_of_birth,
                approximate_age=payload.person.approximate_age,
                description=payload.person.description,
            ),
            conduct=services.Conduct(
                offence_codes=tuple(payload.offence_codes),
                substance=payload.substance,
                form=payload.form,
                quantity_grams=payload.quantity_grams,
                dealing_for_profit=payload.dealing_for_profit,
                on_active_supervision=payload.on_active_supervision,
                in_treatment_court=payload.in_treatment_court,
                protective_order=payload.protective_order,
                no_contact_with_participant=payload.no_contact_with_participant,
                complainant_consents=payload.complainant_consents,
                confidential_informant=payload.confidential_informant,
                area=payload.area,
            ),
            occurred_at=payload.occurred_at,
            location_text=payload.location_text,
            latitude=payload.latitude,
            longitude=payload.longitude,
            observations=payload.observations,
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from error
    referral = Referral.objects.select_related("policy_version").get(pk=referral.pk)
    return Status(201, _out(viewer, referral))


@router.get("", response={200: list[ReferralOut], **REFUSED, **INVALID}, summary="List referrals")
def referral_list(request: HttpRequest, query: Query[ReferralsQuery]) -> list[ReferralOut]:
    """The referrals in the caller's scope, newest first (at most 100): an officer's own, a
    department's for a sergeant or a police system, the site's for the LEAD team."""
    viewer = _viewer(request)
    if not selectors.may_open_queue(viewer):
        raise HttpError(403, "Your role does not work with referrals.")
    referrals = selectors.referrals_visible(viewer).select_related("policy_version")
    if query.status and viewer.role not in POLICE_ROLES:
        referrals = referrals.filter(status=query.status)
    return [_out(viewer, r) for r in referrals.order_by("-occurred_at")[:100]]


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, 404: ErrorOut, **REFUSED, **INVALID},
    summary="One referral",
)
def referral_read(request: HttpRequest, referral_id: UUID) -> ReferralOut:
    viewer = _viewer(request)
    referral = selectors.referral_get(viewer=viewer, public_id=referral_id)
    return _out(viewer, referral)
