"""A site with a Seattle-like policy, an on-call case manager, a prosecutor's office and a
member of every role that takes part in referrals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.access.roles import Role
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import Door, Offence, PolicyRules, SubstanceLimit
from tandem.referrals.models import OnCallShift
from tests.factories import OrganizationFactory, SiteFactory, add_totp, member

POSSESSION = "RCW 69.50.4013"
THEFT = "RCW 9A.56.050"


def seattle_rules(**changes: object) -> PolicyRules:
    police = (Role.POLICE_OFFICER.value, Role.POLICE_SERGEANT.value)
    values: dict[str, object] = {
        "eligible_offences": (
            Offence(POSSESSION, "Possession of a controlled substance", "drug"),
            Offence(THEFT, "Theft in the third degree", "property"),
        ),
        "quantity_limits": (SubstanceLimit("heroin", "any", Decimal("3")),),
        "exclude_dealing_for_profit": True,
        "minimum_age": None,
        "disqualifying_history": (),
        "exclude_active_supervision": False,
        "exclude_treatment_court": False,
        "check_protective_orders": False,
        "catchment_areas": (),
        "complainant_consent_required": False,
        "exclude_confidential_informants": False,
        "referrers": {
            Door.ARREST.value: police,
            Door.SOCIAL_CONTACT.value: police,
            Door.COMMUNITY.value: ("community", Role.PROJECT_MANAGER.value),
        },
        "approver_roles": (Role.POLICE_SERGEANT.value, Role.PROJECT_MANAGER.value),
        "intake_deadline_days": 14,
    }
    values.update(changes)
    return PolicyRules(**values)  # type: ignore[arg-type]


def adopt(site, rules: PolicyRules, *, number: int = 1, effective_from: date | None = None):
    return PolicyVersion.objects.create(
        site=site,
        number=number,
        effective_from=effective_from or date(2024, 1, 1),
        rules=rules.to_dict(),
        pcg_decided_on=date(2023, 12, 1),
        pcg_reference=f"PCG minutes, item {number}",
    )


@pytest.fixture
def lead(db):
    """The scene: a dict of the site, its organisations, its members and its policy."""
    site = SiteFactory()
    provider = OrganizationFactory(site=site, kind="case_management", name="Bridgeway")
    police = OrganizationFactory(site=site, kind="police", name="Harbor PD")
    other_police = OrganizationFactory(site=site, kind="police", name="Sheriff")
    prosecutor = OrganizationFactory(site=site, kind="prosecutor", name="County Prosecutor")
    version = adopt(site, seattle_rules())
    users = {
        "officer": member(Role.POLICE_OFFICER, site=site, organization=police),
        "officer2": member(Role.POLICE_OFFICER, site=site, organization=police),
        "sergeant": member(Role.POLICE_SERGEANT, site=site, organization=police),
        "deputy": member(Role.POLICE_OFFICER, site=site, organization=other_police),
        "on_call": member(Role.CASE_MANAGER, site=site, organization=provider),
        "case_manager": member(Role.CASE_MANAGER, site=site, organization=provider),
        "supervisor": member(Role.CM_SUPERVISOR, site=site, organization=provider),
        "project_manager": member(Role.PROJECT_MANAGER, site=site),
        "prosecutor": member(Role.PROSECUTOR, site=site, organization=prosecutor),
        "defender": member(Role.DEFENDER, site=site),
        "evaluator": member(Role.EVALUATOR, site=site),
        "site_admin": member(Role.SITE_ADMIN, site=site),
    }
    for user in users.values():
        add_totp(user)
    users["on_call"].phone = "+15550100"
    users["on_call"].save()
    now = timezone.now()
    OnCallShift.objects.create(
        site=site,
        provider=provider,
        user=users["on_call"],
        starts_at=now - timedelta(hours=4),
        ends_at=now + timedelta(hours=8),
    )
    return {
        "site": site,
        "provider": provider,
        "police": police,
        "prosecutor_org": prosecutor,
        "version": version,
        **users,
    }
