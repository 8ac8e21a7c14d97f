"""The demo policies: two valid versions for each style, dated within the last two years,
the later one wider and in force today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tandem.audit.models import AuditEvent
from tandem.policy.demo import seed_policies
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import Facts, Outcome, PolicyRules, evaluate
from tandem.policy.selectors import policy_in_force
from tandem.policy.tests.conftest import TODAY
from tests.factories import SiteFactory


@pytest.mark.parametrize("style", ["seattle", "santa_fe", "clackamas"])
def test_each_style_seeds_two_valid_versions_the_later_one_wider(db, style):
    site = SiteFactory()

    first, second = seed_policies(site=site, style=style)

    assert (first.number, second.number) == (1, 2)
    for version in (first, second):
        assert PolicyRules.from_dict(version.rules) == version.policy_rules
        assert TODAY - dt.timedelta(days=730) <= version.pcg_decided_on <= version.effective_from
        assert version.effective_from <= TODAY
        assert version.pcg_reference
    assert first.effective_from < second.effective_from
    assert policy_in_force(site.pk, TODAY) == second
    old_codes = {o.code for o in first.policy_rules.eligible_offences}
    new_codes = {o.code for o in second.policy_rules.eligible_offences}
    assert old_codes < new_codes
    assert AuditEvent.objects.filter(action="policy.version_adopted", site_id=site.pk).count() == 2


def test_seeding_again_keeps_the_sites_policy(db):
    site = SiteFactory()
    seeded = seed_policies(site=site, style="seattle")

    assert seed_policies(site=site, style="clackamas") == seeded
    assert PolicyVersion.objects.filter(site=site).count() == 2


def test_an_unknown_style_is_refused(db):
    with pytest.raises(ValueError, match="Unknown policy style 'denver'"):
        seed_policies(site=SiteFactory(), style="denver")


def test_the_seattle_policy_excludes_more_than_3_g_and_takes_the_community_form(db):
    site = SiteFactory()
    _, current = seed_policies(site=site, style="seattle")
    rules = current.policy_rules

    over = Facts(
        decided_on=TODAY,
        door="arrest",
        offence_codes=("RCW 69.50.4013",),
        substance="heroin",
        form="powder",
        quantity_grams=Decimal("3.5"),
    )

    assert evaluate(rules, over).outcome is Outcome.INELIGIBLE
    assert rules.referrers["community"][0] == "community"
    assert rules.approver_roles == ("police_sergeant", "project_manager")
    assert "Belltown" in rules.catchment_areas


def test_santa_fe_sets_no_limit_for_prescription_pills_and_takes_officers_only(db):
    site = SiteFactory()
    _, current = seed_policies(site=site, style="santa_fe")
    rules = current.policy_rules

    pills = Facts(
        decided_on=TODAY,
        door="arrest",
        offence_codes=("NMSA 30-31-23",),
        substance="oxycodone",
        form="pill",
        quantity_grams=Decimal("20"),
    )
    reasons = {r.rule: r for r in evaluate(rules, pills).reasons}

    assert reasons["quantity"].text == "The site sets no quantity limit for oxycodone (pill)."
    assert rules.referrers["community"] == ()
    assert rules.minimum_age == 18
    assert rules.exclude_confidential_informants
    assert rules.approver_roles == ("prosecutor",)


def test_clackamas_has_a_14_day_intake_and_excludes_active_supervision(db):
    _, current = seed_policies(site=SiteFactory(), style="clackamas")

    assert current.policy_rules.intake_deadline_days == 14
    assert current.policy_rules.exclude_active_supervision
    assert current.policy_rules.catchment_areas
