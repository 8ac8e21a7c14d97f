"""Every eligibility rule, with the reason an officer reads and its edges: exactly at a
quantity limit, the look-back boundary day on both sides, 29 February, missing facts, and
rules that a site did not configure."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from tandem.policy.rules import (
    Door,
    Evaluation,
    Facts,
    Outcome,
    PolicyRules,
    PriorEvent,
    Reason,
    Rule,
    SubstanceLimit,
    combined_outcome,
    evaluate,
    lookback_start,
    may_approve,
    may_refer,
)
from tandem.policy.tests.factories import sample_rules

DAY = dt.date(2026, 11, 27)
POSSESSION = "RCW 69.50.4013"
THEFT = "RCW 9A.56.050"


def clean_facts(**overrides: object) -> Facts:
    """A referral that passes every rule of sample_rules()."""
    facts = Facts(
        decided_on=DAY,
        door=Door.ARREST,
        offence_codes=(POSSESSION,),
        substance="heroin",
        form="powder",
        quantity_grams=Decimal("1.2"),
        dealing_for_profit=False,
        age=34,
        history=(),
        on_active_supervision=False,
        in_treatment_court=False,
        protective_order=False,
        no_contact_with_participant=False,
        area="Belltown",
        complainant_consents=True,
        confidential_informant=False,
    )
    return replace(facts, **overrides)  # type: ignore[arg-type]


def only_offences() -> PolicyRules:
    """Nothing configured but the offence list and who refers: every other rule is off."""
    base = sample_rules()
    return PolicyRules(
        eligible_offences=base.eligible_offences,
        quantity_limits=(),
        exclude_dealing_for_profit=False,
        minimum_age=None,
        disqualifying_history=(),
        exclude_active_supervision=False,
        exclude_treatment_court=False,
        check_protective_orders=False,
        catchment_areas=(),
        complainant_consent_required=False,
        exclude_confidential_informants=False,
        referrers=base.referrers,
        approver_roles=base.approver_roles,
        intake_deadline_days=30,
    )


def reasons_for(evaluation: Evaluation, rule: Rule) -> list[Reason]:
    return [reason for reason in evaluation.reasons if reason.rule == rule]


def the_reason(evaluation: Evaluation, rule: Rule) -> Reason:
    found = reasons_for(evaluation, rule)
    assert len(found) == 1, found
    return found[0]


# The whole evaluation ------------------------------------------------------------------


def test_a_referral_that_passes_every_rule_is_eligible_with_a_reason_for_each():
    evaluation = evaluate(sample_rules(), clean_facts())

    assert evaluation.outcome is Outcome.ELIGIBLE
    assert {reason.rule for reason in evaluation.reasons} == set(Rule)
    assert all(reason.outcome is Outcome.ELIGIBLE for reason in evaluation.reasons)
    texts = [reason.text for reason in evaluation.reasons]
    assert "Possession of a controlled substance (RCW 69.50.4013) is on the site's list." in texts
    assert "The site takes arrest diversions." in texts


def test_ineligible_wins_over_needs_review_which_wins_over_eligible():
    eligible = Reason("a", Outcome.ELIGIBLE, "fine")
    review = Reason("b", Outcome.NEEDS_REVIEW, "check")
    ineligible = Reason("c", Outcome.INELIGIBLE, "no")

    assert combined_outcome([eligible]) is Outcome.ELIGIBLE
    assert combined_outcome([eligible, review]) is Outcome.NEEDS_REVIEW
    assert combined_outcome([review, ineligible, eligible]) is Outcome.INELIGIBLE
    assert combined_outcome([]) is Outcome.ELIGIBLE


def test_an_ineligible_rule_and_a_missing_fact_together_give_ineligible_with_both_reasons():
    evaluation = evaluate(sample_rules(), clean_facts(age=None, area="Ballard"))

    assert evaluation.outcome is Outcome.INELIGIBLE
    assert the_reason(evaluation, Rule.AGE).outcome is Outcome.NEEDS_REVIEW
    assert the_reason(evaluation, Rule.CATCHMENT).outcome is Outcome.INELIGIBLE


def test_a_referral_with_no_facts_recorded_needs_review_and_never_is_eligible():
    facts = Facts(decided_on=DAY, door="arrest", offence_codes=(POSSESSION,))

    evaluation = evaluate(sample_rules(), facts)

    assert evaluation.outcome is Outcome.NEEDS_REVIEW
    reviewed = {r.rule for r in evaluation.reasons_with(Outcome.NEEDS_REVIEW)}
    assert reviewed == set(Rule) - {Rule.DOOR, Rule.OFFENCE}


def test_unconfigured_rules_never_fire_whatever_the_facts_say():
    facts = clean_facts(
        quantity_grams=Decimal("500"),
        dealing_for_profit=True,
        age=12,
        history=(PriorEvent("burglary", DAY),),
        on_active_supervision=True,
        in_treatment_court=True,
        protective_order=True,
        no_contact_with_participant=True,
        area="Anywhere at all",
        complainant_consents=False,
        confidential_informant=True,
    )

    evaluation = evaluate(only_offences(), facts)

    assert evaluation.outcome is Outcome.ELIGIBLE
    assert {reason.rule for reason in evaluation.reasons} == {Rule.DOOR, Rule.OFFENCE}


def test_unconfigured_rules_need_no_facts():
    facts = Facts(decided_on=DAY, door="social_contact", offence_codes=(THEFT,))

    evaluation = evaluate(only_offences(), facts)

    assert evaluation.outcome is Outcome.ELIGIBLE


# The door -------------------------------------------------------------------------------


def test_a_closed_door_is_ineligible():
    rules = sample_rules(referrers={"arrest": ("police_officer",), "community": ()})

    evaluation = evaluate(rules, clean_facts(door="community"))

    reason = the_reason(evaluation, Rule.DOOR)
    assert reason == Reason(
        "door", Outcome.INELIGIBLE, "The site does not take community referrals."
    )
    assert evaluation.outcome is Outcome.INELIGIBLE


def test_an_unknown_door_needs_review():
    reason = the_reason(evaluate(sample_rules(), clean_facts(door="phone")), Rule.DOOR)

    assert reason.outcome is Outcome.NEEDS_REVIEW
    assert reason.text.startswith("The referral door 'phone' is not one the site knows")


def test_who_may_refer_and_approve_follows_the_policy():
    rules = sample_rules(referrers={"arrest": ("police_officer",), "community": ("community",)})

    assert may_refer(rules, Door.ARREST, "police_officer")
    assert not may_refer(rules, Door.ARREST, "police_sergeant")
    assert not may_refer(rules, Door.SOCIAL_CONTACT, "police_officer")
    assert may_refer(rules, "community", "community")
    assert not may_refer(rules, "community", "case_manager")
    assert may_approve(rules, "project_manager")
    assert not may_approve(rules, "prosecutor")


# Offences -------------------------------------------------------------------------------


def test_an_offence_on_the_list_passes_with_its_label_and_code():
    evaluation = evaluate(sample_rules(), clean_facts(offence_codes=(THEFT,)))

    assert the_reason(evaluation, Rule.OFFENCE) == Reason(
        "offence", Outcome.ELIGIBLE, "Theft under $750 (RCW 9A.56.050) is on the site's list."
    )


def test_offence_codes_match_without_regard_to_case_or_spaces():
    evaluation = evaluate(sample_rules(), clean_facts(offence_codes=("  rcw   9a.56.050 ",)))

    assert the_reason(evaluation, Rule.OFFENCE).outcome is Outcome.ELIGIBLE


def test_an_offence_not_on_the_list_is_ineligible():
    evaluation = evaluate(sample_rules(), clean_facts(offence_codes=("RCW 9A.36.021",)))

    assert the_reason(evaluation, Rule.OFFENCE) == Reason(
        "offence",
        Outcome.INELIGIBLE,
        "RCW 9A.36.021 is not on the site's list of eligible offences.",
    )
    assert evaluation.outcome is Outcome.INELIGIBLE


def test_one_offence_off_the_list_makes_the_referral_ineligible_and_both_are_explained():
    evaluation = evaluate(sample_rules(), clean_facts(offence_codes=(THEFT, "RCW 9A.36.021")))

    outcomes = [r.outcome for r in reasons_for(evaluation, Rule.OFFENCE)]
    assert outcomes == [Outcome.ELIGIBLE, Outcome.INELIGIBLE]
    assert evaluation.outcome is Outcome.INELIGIBLE


@pytest.mark.parametrize("codes", [(), ("",), ("   ",)])
def test_no_offence_recorded_needs_review(codes):
    evaluation = evaluate(only_offences(), clean_facts(offence_codes=codes))

    assert the_reason(evaluation, Rule.OFFENCE) == Reason(
        "offence",
        Outcome.NEEDS_REVIEW,
        "No offence recorded: record the offence or conduct the person is referred for.",
    )
    assert evaluation.outcome is Outcome.NEEDS_REVIEW


def test_a_site_without_an_offence_list_sends_every_referral_to_review():
    evaluation = evaluate(PolicyRules.default(), clean_facts(offence_codes=(THEFT,)))

    reason = the_reason(evaluation, Rule.OFFENCE)
    assert reason.outcome is Outcome.NEEDS_REVIEW
    assert "lists no eligible offences" in reason.text
    assert evaluation.outcome is Outcome.NEEDS_REVIEW


# Quantity ---------------------------------------------------------------------------------


def test_exactly_at_the_quantity_limit_is_eligible():
    evaluation = evaluate(sample_rules(), clean_facts(quantity_grams=Decimal("3")))

    assert the_reason(evaluation, Rule.QUANTITY) == Reason(
        "quantity",
        Outcome.ELIGIBLE,
        "3 g of heroin (powder) is within the site's limit of 3 g (more than 3 g is excluded).",
    )


def test_a_thousandth_of_a_gram_above_the_limit_is_ineligible():
    evaluation = evaluate(sample_rules(), clean_facts(quantity_grams=Decimal("3.001")))

    assert the_reason(evaluation, Rule.QUANTITY) == Reason(
        "quantity",
        Outcome.INELIGIBLE,
        "3.001 g of heroin (powder) is more than the site's limit of 3 g.",
    )
    assert evaluation.outcome is Outcome.INELIGIBLE


def test_the_limit_of_the_recorded_form_applies():
    at_tar_limit = evaluate(sample_rules(), clean_facts(form="tar", quantity_grams=Decimal("2.5")))
    over_tar_limit = evaluate(
        sample_rules(), clean_facts(form="TAR", quantity_grams=Decimal("2.6"))
    )

    assert the_reason(at_tar_limit, Rule.QUANTITY).outcome is Outcome.ELIGIBLE
    assert the_reason(over_tar_limit, Rule.QUANTITY).outcome is Outcome.INELIGIBLE


def test_a_limit_for_any_form_covers_every_form_and_a_missing_form():
    rules = sample_rules()
    for form in ("rock", "powder", None):
        evaluation = evaluate(
            rules, clean_facts(substance="Cocaine", form=form, quantity_grams=Decimal("3.5"))
        )
        assert the_reason(evaluation, Rule.QUANTITY).outcome is Outcome.INELIGIBLE, form


def test_an_exact_form_wins_over_any_form():
    rules = sample_rules(
        quantity_limits=(
            SubstanceLimit("cocaine", "any", Decimal("3")),
            SubstanceLimit("cocaine", "rock", Decimal("1")),
        )
    )

    rock = evaluate(
        rules, clean_facts(substance="cocaine", form="rock", quantity_grams=Decimal("2"))
    )
    powder = evaluate(
        rules, clean_facts(substance="cocaine", form="powder", quantity_grams=Decimal("2"))
    )

    assert the_reason(rock, Rule.QUANTITY).outcome is Outcome.INELIGIBLE
    assert the_reason(powder, Rule.QUANTITY).outcome is Outcome.ELIGIBLE


def test_a_substance_or_form_without_a_limit_has_no_quantity_limit():
    pills = evaluate(
        sample_rules(),
        clean_facts(substance="oxycodone", form="pill", quantity_grams=Decimal("40")),
    )

    assert the_reason(pills, Rule.QUANTITY) == Reason(
        "quantity", Outcome.ELIGIBLE, "The site sets no quantity limit for oxycodone (pill)."
    )
    assert pills.outcome is Outcome.ELIGIBLE


def test_a_drug_offence_with_a_limit_but_no_quantity_needs_review():
    evaluation = evaluate(sample_rules(), clean_facts(quantity_grams=None))

    assert the_reason(evaluation, Rule.QUANTITY) == Reason(
        "quantity",
        Outcome.NEEDS_REVIEW,
        "Quantity not recorded: weigh the heroin (powder); more than 3 g is excluded.",
    )
    assert evaluation.outcome is Outcome.NEEDS_REVIEW


def test_a_drug_offence_without_the_drug_recorded_needs_review():
    evaluation = evaluate(sample_rules(), clean_facts(substance=None, form=None))

    reason = the_reason(evaluation, Rule.QUANTITY)
    assert reason.outcome is Outcome.NEEDS_REVIEW
    assert reason.text.startswith("Drug not recorded")


def test_a_form_that_decides_the_limit_but_is_missing_needs_review():
    evaluation = evaluate(sample_rules(), clean_facts(form=None))

    reason = the_reason(evaluation, Rule.QUANTITY)
    assert reason.outcome is Outcome.NEEDS_REVIEW
    assert reason.text == (
        "Form of the heroin not recorded (powder, tar): the site's limit depends on it."
    )


def test_a_negative_quantity_needs_review():
    evaluation = evaluate(sample_rules(), clean_facts(quantity_grams=Decimal("-1")))

    assert the_reason(evaluation, Rule.QUANTITY).outcome is Outcome.NEEDS_REVIEW


def test_quantity_rules_do_not_apply_to_an_offence_that_is_not_about_drugs():
    evaluation = evaluate(
        sample_rules(),
        clean_facts(
            offence_codes=(THEFT,),
            substance=None,
            form=None,
            quantity_grams=None,
            dealing_for_profit=None,
        ),
    )

    assert not reasons_for(evaluation, Rule.QUANTITY)
    assert not reasons_for(evaluation, Rule.DEALING)
    assert evaluation.outcome is Outcome.ELIGIBLE


def test_a_drug_found_during_another_offence_is_still_weighed_against_the_limit():
    evaluation = evaluate(
        sample_rules(), clean_facts(offence_codes=(THEFT,), quantity_grams=Decimal("7"))
    )

    assert the_reason(evaluation, Rule.QUANTITY).outcome is Outcome.INELIGIBLE


# Dealing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dealing", "outcome", "text"),
    [
        (True, Outcome.INELIGIBLE, "Dealing drugs for profit is excluded."),
        (False, Outcome.ELIGIBLE, "The person was not dealing for profit."),
        (
            None,
            Outcome.NEEDS_REVIEW,
            "Not recorded whether the person was dealing for profit (selling to support their "
            "own use is not): ask the officer.",
        ),
    ],
)
def test_dealing_for_profit(dealing, outcome, text):
    evaluation = evaluate(sample_rules(), clean_facts(dealing_for_profit=dealing))

    assert the_reason(evaluation, Rule.DEALING) == Reason("dealing", outcome, text)
    assert evaluation.outcome is outcome


# Age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "outcome", "text"),
    [
        (17, Outcome.INELIGIBLE, "The person is 17; the site takes people 18 or older."),
        (18, Outcome.ELIGIBLE, "The person is 18, at least the site's minimum age of 18."),
        (None, Outcome.NEEDS_REVIEW, "Age not recorded: confirm the person is 18 or older."),
    ],
)
def test_minimum_age(age, outcome, text):
    evaluation = evaluate(sample_rules(), clean_facts(age=age))

    assert the_reason(evaluation, Rule.AGE) == Reason("age", outcome, text)


# History ----------------------------------------------------------------------------------


def burglary(on: dt.date) -> tuple[PriorEvent, ...]:
    return (PriorEvent("burglary", on),)


def test_a_burglary_exactly_ten_years_before_counts():
    evaluation = evaluate(sample_rules(), clean_facts(history=burglary(dt.date(2016, 11, 27))))

    assert the_reason_for(evaluation, "Burglary") == Reason(
        "history",
        Outcome.INELIGIBLE,
        "Burglary on 27 November 2016 is within the 10-year look-back "
        "(on or after 27 November 2016).",
    )
    assert evaluation.outcome is Outcome.INELIGIBLE


def test_a_burglary_one_day_older_than_the_look_back_does_not_count():
    evaluation = evaluate(sample_rules(), clean_facts(history=burglary(dt.date(2016, 11, 26))))

    assert the_reason_for(evaluation, "burglary") == Reason(
        "history",
        Outcome.ELIGIBLE,
        "No burglary in the last 10 years (since 27 November 2016); "
        "the one on 26 November 2016 is older.",
    )
    assert evaluation.outcome is Outcome.ELIGIBLE


def test_a_look_back_from_29_february_opens_on_28_february():
    leap_day = dt.date(2028, 2, 29)
    rules = sample_rules()

    inside = evaluate(
        rules, clean_facts(decided_on=leap_day, history=burglary(dt.date(2018, 2, 28)))
    )
    outside = evaluate(
        rules, clean_facts(decided_on=leap_day, history=burglary(dt.date(2018, 2, 27)))
    )

    assert lookback_start(leap_day, 10) == dt.date(2018, 2, 28)
    assert the_reason_for(inside, "Burglary").outcome is Outcome.INELIGIBLE
    assert the_reason_for(outside, "burglary").outcome is Outcome.ELIGIBLE


def test_a_look_back_from_29_february_to_a_leap_year_keeps_the_day():
    assert lookback_start(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)
    assert lookback_start(dt.date(2027, 3, 1), 1) == dt.date(2026, 3, 1)


def test_a_look_back_of_zero_years_counts_any_time():
    old = (PriorEvent("exploiting_minors", dt.date(1990, 1, 1)),)

    evaluation = evaluate(sample_rules(), clean_facts(history=old))

    assert the_reason_for(evaluation, "Exploiting minors") == Reason(
        "history",
        Outcome.INELIGIBLE,
        "Exploiting minors on 1 January 1990 disqualifies at any time.",
    )


def test_history_checked_and_clean_passes_every_rule():
    evaluation = evaluate(sample_rules(), clean_facts(history=()))

    texts = [r.text for r in reasons_for(evaluation, Rule.HISTORY)]
    assert texts == [
        "No burglary in the last 10 years (since 27 November 2016).",
        "No exploiting minors on record.",
    ]


def test_history_categories_match_without_regard_to_case_and_others_do_not_count():
    events = (PriorEvent(" BURGLARY ", dt.date(2020, 1, 1)), PriorEvent("theft", DAY))

    evaluation = evaluate(sample_rules(), clean_facts(history=events))

    assert the_reason_for(evaluation, "Burglary").outcome is Outcome.INELIGIBLE
    assert the_reason_for(evaluation, "exploiting minors").outcome is Outcome.ELIGIBLE


def test_history_not_checked_needs_review_naming_what_to_check():
    evaluation = evaluate(sample_rules(), clean_facts(history=None))

    assert the_reason(evaluation, Rule.HISTORY) == Reason(
        "history",
        Outcome.NEEDS_REVIEW,
        "Criminal history not checked: check for burglary (in the last 10 years), "
        "exploiting minors (at any time).",
    )


def the_reason_for(evaluation: Evaluation, label: str) -> Reason:
    found = [r for r in reasons_for(evaluation, Rule.HISTORY) if label.lower() in r.text.lower()]
    assert len(found) == 1, evaluation.reasons
    return found[0]


# Yes/no rules -----------------------------------------------------------------------------

YES_NO = [
    # (rule, fact, the answer that excludes, its text, the other answer's text, missing text)
    (
        Rule.SUPERVISION,
        "on_active_supervision",
        True,
        "The person is on active supervision (probation or parole), which the site excludes.",
        "The person is not on active supervision.",
        "Not recorded whether the person is on probation, parole or other active "
        "supervision: check before deciding.",
    ),
    (
        Rule.TREATMENT_COURT,
        "in_treatment_court",
        True,
        "The person is in a treatment court, which the site excludes.",
        "The person is not in a treatment court.",
        "Not recorded whether the person is in a treatment court (drug or mental-health "
        "court): check before deciding.",
    ),
    (
        Rule.PROTECTIVE_ORDER,
        "protective_order",
        True,
        "A protective order names the person.",
        "No protective order names the person.",
        "Not recorded whether a protective order names the person: check before deciding.",
    ),
    (
        Rule.NO_CONTACT,
        "no_contact_with_participant",
        True,
        "The person has a no-contact order with a current LEAD participant.",
        "The person has no no-contact order with a current LEAD participant.",
        "Not recorded whether the person has a no-contact order with a current LEAD "
        "participant: check before deciding.",
    ),
    (
        Rule.COMPLAINANT_CONSENT,
        "complainant_consents",
        False,
        "The complainant does not agree to diversion.",
        "The complainant agrees to diversion.",
        "Not recorded whether the complainant agrees to diversion: ask them (record "
        "agreement when there is no complainant).",
    ),
    (
        Rule.CONFIDENTIAL_INFORMANT,
        "confidential_informant",
        True,
        "The person is a confidential informant, which the site excludes.",
        "The person is not a confidential informant.",
        "Not recorded whether the person is a confidential informant: check with the "
        "officer's supervisor.",
    ),
]


@pytest.mark.parametrize(
    ("rule", "fact", "excluding", "excluded", "passed", "missing"),
    YES_NO,
    ids=[row[0].value for row in YES_NO],
)
def test_yes_no_rules(rule, fact, excluding, excluded, passed, missing):
    rules = sample_rules()

    no = evaluate(rules, clean_facts(**{fact: excluding}))
    yes = evaluate(rules, clean_facts(**{fact: not excluding}))
    unknown = evaluate(rules, clean_facts(**{fact: None}))

    assert the_reason(no, rule) == Reason(rule.value, Outcome.INELIGIBLE, excluded)
    assert no.outcome is Outcome.INELIGIBLE
    assert the_reason(yes, rule) == Reason(rule.value, Outcome.ELIGIBLE, passed)
    assert yes.outcome is Outcome.ELIGIBLE
    assert the_reason(unknown, rule) == Reason(rule.value, Outcome.NEEDS_REVIEW, missing)
    assert unknown.outcome is Outcome.NEEDS_REVIEW


@pytest.mark.parametrize("door", list(Door))
def test_complainant_consent_applies_to_every_door(door):
    evaluation = evaluate(sample_rules(), clean_facts(door=door, complainant_consents=False))

    assert the_reason(evaluation, Rule.COMPLAINANT_CONSENT).outcome is Outcome.INELIGIBLE


# Catchment --------------------------------------------------------------------------------


def test_an_area_in_the_catchment_passes_whatever_its_case_and_spaces():
    evaluation = evaluate(sample_rules(), clean_facts(area="  pioneer   SQUARE "))

    reason = the_reason(evaluation, Rule.CATCHMENT)
    assert reason.outcome is Outcome.ELIGIBLE
    assert reason.text == "pioneer   SQUARE is in the site's catchment area."


def test_an_area_outside_the_catchment_is_ineligible():
    evaluation = evaluate(sample_rules(), clean_facts(area="Ballard"))

    assert the_reason(evaluation, Rule.CATCHMENT) == Reason(
        "catchment",
        Outcome.INELIGIBLE,
        "Ballard is outside the site's catchment area (Belltown, Pioneer Square).",
    )


@pytest.mark.parametrize("area", [None, "", "   "])
def test_no_area_recorded_needs_review(area):
    evaluation = evaluate(sample_rules(), clean_facts(area=area))

    assert the_reason(evaluation, Rule.CATCHMENT) == Reason(
        "catchment",
        Outcome.NEEDS_REVIEW,
        "Area not recorded: confirm it happened in the site's catchment area "
        "(Belltown, Pioneer Square).",
    )


# Facts as given by a caller ----------------------------------------------------------------


def test_facts_accept_lists_and_plain_numbers():
    facts = Facts(
        decided_on=DAY,
        door="arrest",
        offence_codes=[POSSESSION],  # type: ignore[arg-type]
        quantity_grams=3,  # type: ignore[arg-type]
        history=[],  # type: ignore[arg-type]
    )

    assert facts.offence_codes == (POSSESSION,)
    assert facts.quantity_grams == Decimal("3")
    assert facts.history == ()


def test_facts_are_keyword_only_and_need_the_decision_date():
    with pytest.raises(TypeError):
        Facts(door="arrest", offence_codes=())  # type: ignore[call-arg]
