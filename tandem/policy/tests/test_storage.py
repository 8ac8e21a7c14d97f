"""Rules, facts and evaluations survive a trip through JSON unchanged, and anything that is
not a valid policy is refused with a message that says what is wrong."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.access.roles import Role
from tandem.policy.rules import (
    Door,
    Evaluation,
    Facts,
    HistoryRule,
    Offence,
    Outcome,
    PolicyRules,
    PriorEvent,
    Reason,
    SubstanceLimit,
    evaluate,
)
from tandem.policy.tests.factories import sample_rules

words = st.text(
    alphabet=st.characters(categories=("L", "N", "Zs", "P"), exclude_characters="|"),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")
grams = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
roles = st.sampled_from(Role.values)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


offences = st.lists(
    st.builds(Offence, code=words, label=words, category=words),
    unique_by=lambda o: " ".join(o.code.split()).upper(),
    max_size=6,
)
limits = st.lists(
    st.builds(SubstanceLimit, substance=words, form=words, max_grams=grams),
    unique_by=lambda q: (_key(q.substance), _key(q.form)),
    max_size=5,
)
history_rules = st.lists(
    st.builds(HistoryRule, category=words, label=words, lookback_years=st.integers(0, 100)),
    unique_by=lambda h: _key(h.category),
    max_size=5,
)
areas = st.lists(words, unique_by=_key, max_size=5)


@st.composite
def policy_rules(draw: st.DrawFn) -> PolicyRules:
    deadline = draw(st.integers(1, 365))
    cap = draw(st.integers(1, 200))
    return PolicyRules(
        eligible_offences=tuple(draw(offences)),
        quantity_limits=tuple(draw(limits)),
        exclude_dealing_for_profit=draw(st.booleans()),
        minimum_age=draw(st.none() | st.integers(1, 120)),
        disqualifying_history=tuple(draw(history_rules)),
        exclude_active_supervision=draw(st.booleans()),
        exclude_treatment_court=draw(st.booleans()),
        check_protective_orders=draw(st.booleans()),
        catchment_areas=tuple(draw(areas)),
        complainant_consent_required=draw(st.booleans()),
        exclude_confidential_informants=draw(st.booleans()),
        referrers={
            Door.ARREST.value: tuple(draw(st.lists(roles, unique=True, max_size=3))),
            Door.SOCIAL_CONTACT.value: tuple(draw(st.lists(roles, unique=True, max_size=3))),
            Door.COMMUNITY.value: tuple(
                draw(st.lists(roles | st.just("community"), unique=True, max_size=3))
            ),
        },
        approver_roles=tuple(draw(st.lists(roles, unique=True, min_size=1, max_size=3))),
        intake_deadline_days=deadline,
        intake_reminder_days=draw(st.integers(0, deadline - 1)),
        handoff_target_minutes=draw(st.integers(1, 24 * 60)),
        caseload_warn=draw(st.integers(1, cap)),
        caseload_cap=cap,
        inactivity_days=draw(st.integers(1, 3650)),
        ends_participation_for_nonparticipation=draw(st.booleans()),
    )


tri = st.none() | st.booleans()
facts = st.builds(
    Facts,
    decided_on=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    door=st.sampled_from([*Door.__members__.values(), "unknown"]).map(str),
    offence_codes=st.lists(words, max_size=3).map(tuple),
    substance=st.none() | words,
    form=st.none() | words,
    quantity_grams=st.none() | grams,
    dealing_for_profit=tri,
    age=st.none() | st.integers(0, 110),
    history=st.none()
    | st.lists(
        st.builds(
            PriorEvent, category=words, on=st.dates(dt.date(1950, 1, 1), dt.date(2040, 1, 1))
        ),
        max_size=4,
    ).map(tuple),
    on_active_supervision=tri,
    in_treatment_court=tri,
    protective_order=tri,
    no_contact_with_participant=tri,
    area=st.none() | words,
    complainant_consents=tri,
    confidential_informant=tri,
)


@settings(max_examples=150)
@given(policy_rules())
def test_rules_survive_a_trip_through_json(rules):
    stored = json.loads(json.dumps(rules.to_dict()))

    assert PolicyRules.from_dict(stored) == rules
    assert PolicyRules.from_dict(stored).to_dict() == stored


@settings(max_examples=150)
@given(facts)
def test_facts_survive_a_trip_through_json(given_facts):
    stored = json.loads(json.dumps(given_facts.to_dict()))

    assert Facts.from_dict(stored) == given_facts


@settings(max_examples=150)
@given(policy_rules(), facts)
def test_an_evaluation_survives_a_trip_through_json_and_is_never_eligible_with_facts_missing(
    rules, given_facts
):
    evaluation = evaluate(rules, given_facts)
    stored = json.loads(json.dumps(evaluation.to_dict()))

    assert Evaluation.from_dict(stored) == evaluation
    if any(r.outcome is Outcome.NEEDS_REVIEW for r in evaluation.reasons):
        assert evaluation.outcome is not Outcome.ELIGIBLE


def test_rules_store_grams_as_text():
    stored = sample_rules().to_dict()

    assert stored["quantity_limits"][0] == {
        "substance": "heroin",
        "form": "powder",
        "max_grams": "3",
    }
    json.dumps(stored)


def test_a_version_stored_before_a_setting_existed_gets_its_default():
    stored = sample_rules().to_dict()
    for name in ("intake_reminder_days", "ends_participation_for_nonparticipation", "schema"):
        del stored[name]

    rules = PolicyRules.from_dict(stored)

    assert rules.intake_reminder_days == 3
    assert rules.ends_participation_for_nonparticipation is False


def test_role_enums_are_stored_as_their_values():
    rules = sample_rules(
        approver_roles=(Role.PROSECUTOR,), referrers={"arrest": (Role.POLICE_OFFICER,)}
    )

    stored = rules.to_dict()

    assert stored["approver_roles"] == ["prosecutor"]
    assert type(stored["approver_roles"][0]) is str
    assert stored["referrers"] == {
        "arrest": ["police_officer"],
        "social_contact": [],
        "community": [],
    }


def mutated(**changes: Any) -> dict[str, Any]:
    stored = sample_rules().to_dict()
    stored.update(changes)
    return stored


BAD = [
    ("not a mapping", [], "Expected the policy as a mapping"),
    ("unknown key", mutated(colour="blue"), "Unknown setting 'colour'"),
    ("missing key", {k: v for k, v in mutated().items() if k != "minimum_age"}, "no 'minimum_age'"),
    ("future schema", mutated(schema=2), "Unknown policy schema 2"),
    ("age as text", mutated(minimum_age="18"), "'minimum_age' must be a whole number"),
    ("age too high", mutated(minimum_age=300), "minimum age must be a whole number from 1 to 120"),
    ("flag as text", mutated(exclude_treatment_court="yes"), "must be true or false"),
    ("number as bool", mutated(caseload_cap=True), "'caseload_cap' must be a whole number"),
    (
        "grams as float",
        mutated(quantity_limits=[{"substance": "heroin", "form": "any", "max_grams": 3.0}]),
        "must be written as text",
    ),
    (
        "grams not a number",
        mutated(quantity_limits=[{"substance": "heroin", "form": "any", "max_grams": "three"}]),
        "'three' is not a number",
    ),
    (
        "negative grams",
        mutated(quantity_limits=[{"substance": "heroin", "form": "any", "max_grams": "-1"}]),
        "must be zero grams or more",
    ),
    (
        "duplicate limit",
        mutated(
            quantity_limits=[
                {"substance": "heroin", "form": "any", "max_grams": "1"},
                {"substance": "Heroin", "form": "ANY", "max_grams": "2"},
            ]
        ),
        "listed twice",
    ),
    (
        "duplicate offence",
        mutated(
            eligible_offences=[
                {"code": "RCW 1", "label": "One", "category": "drug"},
                {"code": "rcw  1", "label": "Again", "category": "drug"},
            ]
        ),
        "The offence 'rcw  1' is listed twice.",
    ),
    (
        "blank offence label",
        mutated(eligible_offences=[{"code": "RCW 1", "label": " ", "category": "drug"}]),
        "An eligible offence has no label.",
    ),
    (
        "offence with extra key",
        mutated(eligible_offences=[{"code": "A", "label": "B", "category": "c", "x": 1}]),
        "Unknown setting 'x' in an offence",
    ),
    (
        "look-back too long",
        mutated(disqualifying_history=[{"category": "b", "label": "B", "lookback_years": 101}]),
        "must be 0 (at any time) to 100 years",
    ),
    ("blank area", mutated(catchment_areas=[" "]), "A catchment area cannot be blank."),
    ("duplicate area", mutated(catchment_areas=["Belltown", "belltown "]), "listed twice"),
    ("unknown door", mutated(referrers={"back_door": []}), "Unknown referral door 'back_door'"),
    (
        "unknown role",
        mutated(referrers={"arrest": ["mayor"]}),
        "'mayor' cannot refer through the arrest diversion door",
    ),
    (
        "public form at a police door",
        mutated(referrers={"arrest": ["community"]}),
        "'community' cannot refer through the arrest diversion door",
    ),
    ("nobody approves", mutated(approver_roles=[]), "Choose at least one role who approves"),
    (
        "unknown approver",
        mutated(approver_roles=["community"]),
        "is not a role that can approve referrals",
    ),
    ("deadline zero", mutated(intake_deadline_days=0), "intake deadline must be a whole number"),
    (
        "reminder after deadline",
        mutated(intake_deadline_days=5, intake_reminder_days=5),
        "must come before the deadline itself",
    ),
    (
        "warning above cap",
        mutated(caseload_warn=30, caseload_cap=25),
        "The caseload warning (30) must not be above the cap (25).",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [(d, m) for _, d, m in BAD], ids=[n for n, _, _ in BAD]
)
def test_from_dict_refuses_bad_data_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PolicyRules.from_dict(data)


def test_facts_from_dict_refuses_bad_data():
    good = Facts(decided_on=dt.date(2026, 1, 2), door="arrest", offence_codes=("X",)).to_dict()

    for bad, message in [
        ({**good, "decided_on": "02/01/2026"}, "must be a date written YYYY-MM-DD"),
        ({**good, "age": "forty"}, "'age' must be a whole number"),
        ({**good, "quantity_grams": "lots"}, "is not a number"),
        ({**good, "history": [{"category": "b"}]}, "must be a date"),
        ({**good, "eye_colour": "brown"}, "Unknown setting 'eye_colour'"),
        ({k: v for k, v in good.items() if k != "decided_on"}, "no 'decided_on'"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            Facts.from_dict(bad)


def test_evaluation_from_dict_refuses_an_outcome_its_reasons_contradict():
    evaluation = Evaluation.from_reasons([Reason("age", Outcome.INELIGIBLE, "Too young.")])
    stored = {**evaluation.to_dict(), "outcome": "eligible"}

    with pytest.raises(ValueError, match="reasons add up to 'ineligible'"):
        Evaluation.from_dict(stored)
    with pytest.raises(ValueError, match="Unknown outcome 'maybe'"):
        Evaluation.from_dict({"outcome": "maybe", "reasons": []})


def test_constructing_bad_rules_directly_is_refused_too():
    with pytest.raises(ValueError, match="Choose at least one role who approves"):
        sample_rules(approver_roles=())


def test_the_default_rules_are_valid_and_open_the_police_doors():
    rules = PolicyRules.default()

    assert PolicyRules.from_dict(rules.to_dict()) == rules
    assert rules.referrers["arrest"] == ("police_officer", "police_sergeant")
    assert rules.approver_roles == ("project_manager",)
    assert (rules.caseload_warn, rules.caseload_cap, rules.inactivity_days) == (20, 25, 90)
    assert rules.offence("RCW 1") is None
    assert sample_rules().offence("rcw 9a.56.050") == Offence(
        "RCW 9A.56.050", "Theft under $750", "property"
    )
    assert Decimal("3") == sample_rules().quantity_limits[0].max_grams


def test_equal_rules_hash_alike_so_they_can_key_a_cache():
    assert hash(sample_rules()) == hash(PolicyRules.from_dict(sample_rules().to_dict()))
    assert len({sample_rules(), sample_rules(), sample_rules(minimum_age=21)}) == 2
