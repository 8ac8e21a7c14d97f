"""Writes of releases of information. Each takes `actor=`, validates everything before it
writes, and appends an audit event in the same transaction; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from tandem.access.roles import Category, Purpose
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.consent.models import Consent, ConsentGrant
from tandem.consent.signatures import signature_from_data_url, signature_from_scan
from tandem.people.models import Person
from tandem.tenancy.models import Organization

# What a release may grant each kind of recipient: more would be refused by the access
# decision anyway (DESIGN.md §4), and a form that promised it would mislead the participant.
RECIPIENT_CATEGORIES: dict[str, frozenset[Category]] = {
    Organization.Kind.POLICE: frozenset({Category.ENROLLMENT, Category.IDENTITY}),
    Organization.Kind.PROSECUTOR: frozenset(
        {Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL}
    ),
    Organization.Kind.DEFENDER: frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL}),
}
# What the form ticks for a recipient until the participant says otherwise.
DEFAULT_CATEGORIES: dict[str, frozenset[Category]] = {
    Organization.Kind.POLICE: frozenset({Category.ENROLLMENT}),
    Organization.Kind.PROSECUTOR: RECIPIENT_CATEGORIES[Organization.Kind.PROSECUTOR],
    Organization.Kind.DEFENDER: RECIPIENT_CATEGORIES[Organization.Kind.DEFENDER],
}


def categories_allowed_for(organization: Organization) -> frozenset[Category]:
    return RECIPIENT_CATEGORIES.get(organization.kind, frozenset(Category))


def default_categories_for(organization: Organization) -> frozenset[Category]:
    return DEFAULT_CATEGORIES.get(
        organization.kind, frozenset({Category.ENROLLMENT, Category.IDENTITY})
    )


def default_expiry(*, effective_on: dt.date, term_days: int) -> dt.date:
    return effective_on + dt.timedelta(days=term_days)


@dataclass(frozen=True, slots=True)
class GrantInput:
    organization: Organization
    categories: frozenset[Category]


@dataclass(frozen=True, slots=True)
class Part2Elements:
    """42 CFR 2.31(a) elements beyond those every release carries (the programme's name,
    the recipients, the purpose, the expiry date and the signature and date)."""

    disclosure_description: str = ""
    revocation_instructions: str = ""
    expiry_event: str = ""
    treatment_not_conditioned: bool = False


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    person: Person,
    recorded_by_organization: Organization,
    grants: Sequence[GrantInput],
    purpose: Purpose | str,
    purpose_text: str,
    effective_on: dt.date,
    expires_on: dt.date | None,
    signed_name: str,
    signature_drawn: str = "",
    signature_scan: File[bytes] | None = None,
    witness_name: str = "",
    part2: Part2Elements | None = None,
) -> Consent:
    """Record a signed release naming `grants`. Validates every rule first; on any error
    raises ValidationError (keyed by field) and writes nothing."""
    errors: dict[str, list[str]] = {}
    site_id = person.site_id
    if recorded_by_organization.site_id != site_id:
        errors.setdefault("recorded_by_organization", []).append(
            "The recording organisation belongs to another site."
        )
    _check_grants(grants, site_id, errors)
    if purpose not in Consent.PurposeChoice.values:
        errors.setdefault("purpose", []).append("Choose a purpose.")
    if not purpose_text.strip():
        errors.setdefault("purpose_text", []).append("Say what the information is for.")
    if expires_on is None:
        expires_on = default_expiry(
            effective_on=effective_on, term_days=person.site.consent_term_days
        )
    if expires_on <= effective_on:
        errors.setdefault("expires_on", []).append("The expiry date must come after the start.")
    if not signed_name.strip():
        errors.setdefault("signed_name", []).append("Type the participant's name.")
    if bool(signature_drawn) == (signature_scan is not None):
        errors.setdefault("signature", []).append(
            "Add one signature: drawn on the screen, or a scan of the signed paper form."
        )
    part2 = part2 or Part2Elements()
    if recorded_by_organization.is_part2_program:
        _check_part2(part2, errors)
    signature = None
    if "signature" not in errors:
        try:
            signature = (
                signature_from_data_url(signature_drawn)
                if signature_drawn
                else signature_from_scan(signature_scan)  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            errors.setdefault("signature", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        site_id=site_id,
        person=person,
        recorded_by_organization=recorded_by_organization,
        purpose=purpose,
        purpose_text=purpose_text.strip(),
        effective_on=effective_on,
        expires_on=expires_on,
        disclosure_description=part2.disclosure_description.strip(),
        revocation_instructions=part2.revocation_instructions.strip(),
        expiry_event=part2.expiry_event.strip(),
        treatment_not_conditioned=part2.treatment_not_conditioned,
        signed_name=signed_name.strip(),
        signed_on=timezone.localdate(),
        signature_kind=Consent.SignatureKind.DRAWN
        if signature_drawn
        else Consent.SignatureKind.SCAN,
        witness_name=witness_name.strip(),
        recorded_by=actor,
    )
    assert signature is not None
    consent.signature.save(signature.name or "signature.png", signature, save=False)
    consent.full_clean()
    consent.save()
    for grant in grants:
        row = ConsentGrant(
            consent=consent,
            organization=grant.organization,
            categories=sorted(grant.categories),
        )
        row.full_clean()
        row.save()
    audit_record(
        actor=actor,
        site=site_id,
        action="consent.recorded",
        target=consent,
        detail={
            "person": str(person.public_id),
            "recorded_by": str(recorded_by_organization.public_id),
            "grants": {str(g.organization.public_id): sorted(g.categories) for g in grants},
            "effective_on": effective_on.isoformat(),
            "expires_on": expires_on.isoformat(),
        },
    )
    return consent


def _check_grants(grants: Sequence[GrantInput], site_id: int, errors: dict[str, list[str]]) -> None:
    if not grants:
        errors.setdefault("grants", []).append("Choose at least one organisation.")
    seen: set[int] = set()
    for grant in grants:
        organization = grant.organization
        if organization.site_id != site_id:
            errors.setdefault("grants", []).append(
                "Every organisation must belong to the participant's site."
            )
            continue
        if organization.pk in seen:
            errors.setdefault("grants", []).append(f"{organization} is named twice.")
        seen.add(organization.pk)
        if not grant.categories:
            errors.setdefault("grants", []).append(
                f"Choose what {organization} may receive, or leave it out."
            )
        too_much = set(grant.categories) - categories_allowed_for(organization)
        if too_much:
            labels = ", ".join(sorted(Category(c).label.lower() for c in too_much))
            errors.setdefault("grants", []).append(f"{organization} may not receive {labels}.")


def _check_part2(part2: Part2Elements, errors: dict[str, list[str]]) -> None:
    # 42 CFR 2.31(a)(4), (a)(6), (a)(7) and 2.31(a): how much and what kind of information,
    # the right to revoke and how, and that treatment is not conditioned on signing.
    if not part2.disclosure_description.strip():
        errors.setdefault("disclosure_description", []).append(
            "Say how much and what kind of information may be disclosed (42 CFR 2.31)."
        )
    if not part2.revocation_instructions.strip():
        errors.setdefault("revocation_instructions", []).append(
            "Say how the participant can revoke this consent (42 CFR 2.31)."
        )
    if not part2.treatment_not_conditioned:
        errors.setdefault("treatment_not_conditioned", []).append(
            "The participant must be told that treatment does not depend on signing."
        )


@transaction.atomic
def consent_revoke(
    *,
    actor: User | None,
    consent: Consent,
    reason: str,
    organization: Organization | None = None,
) -> Consent:
    """Revoke the whole release, or only what it grants `organization`. Takes effect on
    the next request: the access decision reads revocation dates directly."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the consent is revoked."})
    if consent.revoked_at is not None:
        raise ValidationError("This consent was revoked already.")
    now = timezone.now()
    if organization is None:
        consent.revoked_at = now
        consent.revoked_by = actor
        consent.revocation_reason = reason.strip()
        consent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
        detail: dict[str, str] = {"scope": "all"}
    else:
        grant = (
            ConsentGrant.objects.select_for_update()
            .filter(consent=consent, organization=organization, revoked_at__isnull=True)
            .first()
        )
        if grant is None:
            raise ValidationError("This consent names no such organisation, or it was revoked.")
        grant.revoked_at = now
        grant.revoked_by = actor
        grant.revocation_reason = reason.strip()
        grant.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
        detail = {"scope": "organization", "organization": str(organization.public_id)}
    audit_record(
        actor=actor,
        site=consent.site_id,
        action="consent.revoked",
        target=consent,
        detail={**detail, "reason": reason.strip()},
    )
    return consent
