"""Demo policies after three real LEAD sites (DOMAIN.md §4): each an original version and a
later, wider one adopted by a named PCG decision, dated within the last two years so the
demo stays current. Statute codes follow each state's style (WA RCW, NM NMSA, OR ORS) but
are illustrations: a real site writes its own list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import (
    COMMUNITY_REFERRER,
    Door,
    HistoryRule,
    Offence,
    PolicyRules,
    SubstanceLimit,
)
from tandem.policy.services import policy_version_create
from tandem.tenancy.models import Site

POLICE = (Role.POLICE_OFFICER.value, Role.POLICE_SERGEANT.value)


@dataclass(frozen=True, slots=True)
class DemoVersion:
    rules: PolicyRules
    # Days before today that the PCG decided and that the version took effect.
    decided_days_ago: int
    effective_days_ago: int
    reference: str
    note: str


def _seattle() -> list[DemoVersion]:
    original = PolicyRules(
        eligible_offences=(
            Offence("RCW 69.50.4013", "Possession of a controlled substance", "drug"),
            Offence("RCW 9A.88.030", "Prostitution", "prostitution"),
        ),
        quantity_limits=(
            SubstanceLimit("heroin", "any", Decimal("3")),
            SubstanceLimit("cocaine", "any", Decimal("3")),
            SubstanceLimit("methamphetamine", "any", Decimal("3")),
        ),
        # Delivery and possession with intent to deliver (RCW 69.50.401) are not on the list,
        # and a possession arrest that was really a sale is excluded here.
        exclude_dealing_for_profit=True,
        minimum_age=None,
        disqualifying_history=(
            HistoryRule("burglary", "Burglary", 10),
            HistoryRule("robbery", "Robbery", 10),
            HistoryRule("domestic_violence", "Domestic violence", 10),
            HistoryRule("exploiting_minors", "Exploiting minors", 0),
            HistoryRule("promoting_prostitution", "Promoting prostitution", 0),
        ),
        exclude_active_supervision=False,
        exclude_treatment_court=False,
        check_protective_orders=False,
        catchment_areas=("Belltown",),
        complainant_consent_required=False,
        exclude_confidential_informants=False,
        referrers={
            Door.ARREST.value: POLICE,
            Door.SOCIAL_CONTACT.value: POLICE,
            Door.COMMUNITY.value: (COMMUNITY_REFERRER, Role.PROJECT_MANAGER.value),
        },
        approver_roles=(Role.POLICE_SERGEANT.value, Role.PROJECT_MANAGER.value),
        intake_deadline_days=30,
    )
    widened = replace(
        original,
        eligible_offences=(
            *original.eligible_offences,
            Offence("RCW 9A.56.050", "Theft in the third degree (under $750)", "property"),
            Offence("RCW 36.57A.230", "Transit fare evasion", "transit"),
            Offence("SMC 18.12.250", "Remaining in a park after hours", "park"),
        ),
        catchment_areas=(
            "Belltown",
            "Downtown",
            "Pioneer Square",
            "Chinatown-International District",
            "Capitol Hill",
        ),
    )
    return [
        DemoVersion(
            original,
            decided_days_ago=700,
            effective_days_ago=690,
            reference="Seattle LEAD PCG minutes, item 3: adoption of the pilot criteria",
            note="The Belltown pilot's criteria.",
        ),
        DemoVersion(
            widened,
            decided_days_ago=250,
            effective_days_ago=240,
            reference="Seattle LEAD PCG minutes, item 5: expansion to theft, transit and parks",
            note="Theft, transit and park violations added; the catchment grows past Belltown.",
        ),
    ]


def _santa_fe() -> list[DemoVersion]:
    opiates = tuple(
        SubstanceLimit(substance, form, Decimal("6"))
        for substance, form in (("heroin", "powder"), ("heroin", "tar"), ("fentanyl", "powder"))
    )
    original = PolicyRules(
        eligible_offences=(
            Offence("NMSA 30-31-23", "Possession of a controlled substance (opiates)", "drug"),
            Offence(
                "NMSA 30-31-22", "Distribution of a controlled substance (subsistence)", "drug"
            ),
        ),
        # Prescription pills have no limit, so none is listed for them.
        quantity_limits=opiates,
        exclude_dealing_for_profit=True,
        minimum_age=18,
        disqualifying_history=(
            HistoryRule("violent_felony", "Violent felony", 10),
            HistoryRule("sex_offence", "Sex offence", 0),
            HistoryRule("trafficking", "Drug trafficking", 5),
        ),
        exclude_active_supervision=False,
        exclude_treatment_court=False,
        check_protective_orders=False,
        catchment_areas=("City of Santa Fe",),
        complainant_consent_required=False,
        exclude_confidential_informants=True,
        referrers={
            Door.ARREST.value: POLICE,
            Door.SOCIAL_CONTACT.value: POLICE,
            # Santa Fe takes officer referrals only.
            Door.COMMUNITY.value: (),
        },
        approver_roles=(Role.PROSECUTOR.value,),
        intake_deadline_days=30,
    )
    widened = replace(
        original,
        eligible_offences=(
            *original.eligible_offences,
            Offence("NMSA 30-16-20", "Shoplifting (under $250)", "property"),
            Offence("NMSA 30-31-25.1", "Possession of drug paraphernalia", "paraphernalia"),
        ),
        catchment_areas=("City of Santa Fe", "Santa Fe County"),
    )
    return [
        DemoVersion(
            original,
            decided_days_ago=680,
            effective_days_ago=670,
            reference="Santa Fe LEAD PCG resolution 1: opiate diversion criteria",
            note="Opiate possession and subsistence sales.",
        ),
        DemoVersion(
            widened,
            decided_days_ago=300,
            effective_days_ago=290,
            reference="Santa Fe LEAD PCG resolution 4: shoplifting and paraphernalia",
            note="Shoplifting and paraphernalia added; the county joins.",
        ),
    ]


def _clackamas() -> list[DemoVersion]:
    original = PolicyRules(
        eligible_offences=(
            Offence("ORS 164.245", "Criminal trespass in the second degree", "trespass"),
            Offence("ORS 164.043", "Theft in the third degree (under $100)", "property"),
            Offence("ORS 475.752", "Possession of a controlled substance", "drug"),
        ),
        # "No substantial quantities", written as the most a person may carry.
        quantity_limits=(
            SubstanceLimit("heroin", "any", Decimal("1")),
            SubstanceLimit("methamphetamine", "any", Decimal("2")),
            SubstanceLimit("cocaine", "any", Decimal("2")),
        ),
        exclude_dealing_for_profit=True,
        minimum_age=None,
        disqualifying_history=(),
        exclude_active_supervision=True,
        exclude_treatment_court=False,
        check_protective_orders=False,
        catchment_areas=("Oregon City", "Gladstone"),
        complainant_consent_required=False,
        exclude_confidential_informants=False,
        referrers={
            Door.ARREST.value: POLICE,
            Door.SOCIAL_CONTACT.value: POLICE,
            Door.COMMUNITY.value: (),
        },
        approver_roles=(Role.PROSECUTOR.value,),
        intake_deadline_days=14,
    )
    widened = replace(
        original,
        eligible_offences=(
            *original.eligible_offences,
            Offence("ORS 164.354", "Criminal mischief in the second degree", "property"),
        ),
        catchment_areas=("Oregon City", "Gladstone", "Milwaukie", "Clackamas"),
        referrers={**original.referrers, Door.COMMUNITY.value: (Role.PROJECT_MANAGER.value,)},
    )
    return [
        DemoVersion(
            original,
            decided_days_ago=650,
            effective_days_ago=640,
            reference="Clackamas County LEAD PCG minutes, item 2: launch criteria",
            note="Trespass, small theft and small possession in Oregon City and Gladstone.",
        ),
        DemoVersion(
            widened,
            decided_days_ago=200,
            effective_days_ago=186,
            reference="Clackamas County LEAD PCG minutes, item 4: expansion",
            note="Criminal mischief added; Milwaukie and Clackamas join; partners may refer.",
        ),
    ]


STYLES: dict[str, Callable[[], list[DemoVersion]]] = {
    "seattle": _seattle,
    "santa_fe": _santa_fe,
    "clackamas": _clackamas,
}


def seed_policies(
    *, site: Site, style: str, actor: User | None = None, today: date | None = None
) -> list[PolicyVersion]:
    """Give `site` the two demo versions of `style` ("seattle", "santa_fe", "clackamas"),
    through the service, so each is validated and audited. A site that has a policy
    already keeps it: the existing versions are returned, oldest first."""
    if style not in STYLES:
        raise ValueError(f"Unknown policy style {style!r}; choose one of {', '.join(STYLES)}.")
    existing = list(PolicyVersion.objects.filter(site=site).order_by("number"))
    if existing:
        return existing
    today = today or timezone.localdate()
    created = []
    for demo in STYLES[style]():
        decided = today - timedelta(days=demo.decided_days_ago)
        created.append(
            policy_version_create(
                actor=actor,
                site=site,
                rules=demo.rules,
                effective_from=today - timedelta(days=demo.effective_days_ago),
                pcg_decided_on=decided,
                pcg_reference=f"{demo.reference} ({decided.isoformat()})",
                note=demo.note,
            )
        )
    return created
