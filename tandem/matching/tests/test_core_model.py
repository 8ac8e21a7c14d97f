"""The Fellegi-Sunter model: weights, bands, explanations, estimation and storage."""

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.matching.core import (
    COMPARISONS,
    MatchModel,
    MatchRecord,
    PartialDate,
    compare,
    prepare,
)

INDEX = {c.key: i for i, c in enumerate(COMPARISONS)}
ALL_MISSING = tuple(-1 for _ in COMPARISONS)


def gamma(**levels):
    values = list(ALL_MISSING)
    for key, level in levels.items():
        values[INDEX[key]] = level
    return tuple(values)


def test_nothing_compared_weighs_nothing():
    model = MatchModel.default()
    assert model.weight(ALL_MISSING) == 0
    assert model.probability(ALL_MISSING) == pytest.approx(model.prior)


def test_a_missing_date_of_birth_is_neutral():
    model = MatchModel.default()
    names_only = gamma(given_name=0, surname=0)
    without_date = gamma(given_name=0, surname=0, date_of_birth=-1)
    assert model.partial_weights(without_date)[INDEX["date_of_birth"]] == 0
    assert model.weight(without_date) == model.weight(names_only)


def test_agreement_adds_evidence_and_disagreement_takes_it_away():
    model = MatchModel.default()
    names = gamma(given_name=0, surname=0)
    assert model.weight(gamma(given_name=0, surname=0, date_of_birth=0)) > model.weight(names)
    assert model.weight(gamma(given_name=0, surname=0, date_of_birth=6)) < model.weight(names)
    # A transposed date is weaker evidence than the same date, but still evidence.
    transposed = model.weight(gamma(given_name=0, surname=0, date_of_birth=1))
    assert (
        model.weight(names)
        < transposed
        < model.weight(gamma(given_name=0, surname=0, date_of_birth=0))
    )


def test_name_order_never_weighs_anything():
    model = MatchModel.default()
    assert model.weight(gamma(name_order=1)) == 0
    assert model.weight(gamma(name_order=0)) == 0


def test_bands_follow_the_thresholds():
    model = MatchModel.default().with_thresholds(link_at=0.99, review_at=0.5)
    assert model.band(0.995) == "link"
    assert model.band(0.99) == "link"
    assert model.band(0.7) == "review"
    assert model.band(0.5) == "review"
    assert model.band(0.2) == "no-link"


def test_a_review_threshold_above_the_link_threshold_raises_both():
    model = MatchModel.default().with_thresholds(link_at=0.9, review_at=0.95)
    assert model.review_at == 0.95
    assert model.link_at == 0.95


def test_thresholds_out_of_order_are_refused():
    default = MatchModel.default()
    with pytest.raises(ValueError, match="thresholds"):
        MatchModel(m=default.m, u=default.u, prior=0.01, link_at=0.5, review_at=0.9)


def test_the_explanation_puts_the_strongest_evidence_first():
    model = MatchModel.default()
    a = prepare(
        MatchRecord(id="a", given_name="William", surname="Smith", dob=PartialDate(1980, 3, 4))
    )
    b = prepare(
        MatchRecord(id="b", given_name="Bill", surname="Smith", dob=PartialDate(1980, 4, 3))
    )
    text = model.explain(compare(a, b))
    phrases = text.split("; ")
    assert set(phrases) == {
        "same surname",
        "day and month of birth swapped",
        "given name is a nickname of the other",
    }
    weights = model.partial_weights(compare(a, b))
    order = {
        "same surname": weights[INDEX["surname"]],
        "day and month of birth swapped": weights[INDEX["date_of_birth"]],
        "given name is a nickname of the other": weights[INDEX["given_name"]],
    }
    assert phrases == sorted(phrases, key=lambda p: -abs(order[p]))


def test_the_explanation_says_what_could_not_be_compared_and_names_a_swap():
    model = MatchModel.default()
    a = prepare(
        MatchRecord(id="a", given_name="Danny", surname="Stephenson", dob=PartialDate(1983, 10, 19))
    )
    b = prepare(MatchRecord(id="b", given_name="Stephenson", surname="Danny"))
    text = model.explain(compare(a, b))
    assert text.startswith("given name and surname swapped; ")
    assert "same surname" in text
    assert "same given name" in text
    assert text.endswith("no date of birth on one side")


def test_the_explanation_of_disagreement_is_plain():
    model = MatchModel.default()
    text = model.explain(gamma(given_name=6, surname=5, date_of_birth=6))
    assert set(text.split("; ")) == {
        "given names differ",
        "surnames differ",
        "dates of birth differ",
    }


def test_a_model_survives_a_json_round_trip():
    model = MatchModel.default().with_thresholds(link_at=0.995, review_at=0.4)
    again = MatchModel.from_dict(json.loads(json.dumps(model.to_dict())))
    probe = gamma(given_name=1, surname=2, date_of_birth=1, postcode=0)
    assert again.weight(probe) == pytest.approx(model.weight(probe))
    assert again.probability(probe) == pytest.approx(model.probability(probe))
    assert (again.link_at, again.review_at, again.prior) == (0.995, 0.4, model.prior)
    assert again.to_dict()["version"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=99), "version 99 is not supported"),
        (lambda d: d.update(format="something else"), "not a Tandem match model"),
        (lambda d: d["comparisons"].pop(), "trained for other comparisons"),
        (lambda d: d["comparisons"][0]["levels"].pop(), "trained for other comparisons"),
        (lambda d: d.pop("prior"), "incomplete"),
        (lambda d: d["comparisons"][0]["m"].__setitem__(0, 2.0), "between 0 and 1"),
    ],
)
def test_a_damaged_or_foreign_model_is_refused(change, message):
    data = MatchModel.default().to_dict()
    change(data)
    with pytest.raises(ValueError, match=message):
        MatchModel.from_dict(data)


def synthetic_pairs(*, matches, others, seed):
    """Comparison vectors drawn from known m (same person) and u (different people)."""
    rng = random.Random(seed)
    truth_m = MatchModel.default().m
    # Different people among candidate pairs: names often agree (that is why they were
    # compared), dates of birth and identifiers rarely do.
    truth_u = list(MatchModel.default().u)
    truth_u[INDEX["given_name"]] = (0.10, 0.02, 0.03, 0.05, 0.05, 0.05, 0.70)
    truth_u[INDEX["surname"]] = (0.35, 0.02, 0.05, 0.05, 0.03, 0.50)
    pairs = []
    for is_match, count in ((True, matches), (False, others)):
        table = truth_m if is_match else truth_u
        for _ in range(count):
            vector = []
            for index, comparison in enumerate(COMPARISONS):
                if comparison.key == "identifier" and rng.random() < 0.5:
                    vector.append(-1)
                    continue
                levels = range(len(comparison.levels))
                vector.append(rng.choices(levels, weights=table[index])[0])
            pairs.append(tuple(vector))
    rng.shuffle(pairs)
    return pairs


def test_em_learns_m_u_and_the_share_of_matches_from_unlabelled_pairs():
    pairs = synthetic_pairs(matches=150, others=350, seed=7)
    model = MatchModel.train(pairs, start=MatchModel.default())
    given_name = INDEX["given_name"]
    assert model.m[given_name][0] > 0.7
    assert model.u[given_name][0] < 0.2
    assert model.m[INDEX["date_of_birth"]][0] > 0.75
    assert model.u[INDEX["date_of_birth"]][0] < 0.05
    assert model.prior == pytest.approx(0.3, abs=0.04)
    assert model.training["converged"]


def test_em_with_random_pair_u_gives_a_prior_per_random_pair():
    pairs = synthetic_pairs(matches=150, others=350, seed=8)
    random_u = MatchModel.default().u
    model = MatchModel.train(pairs, u=random_u, total_pairs=1_000_000)
    assert model.u == random_u
    assert model.prior == pytest.approx(150 / 1_000_000, rel=0.15)


def test_em_separates_matches_from_others():
    pairs = synthetic_pairs(matches=150, others=350, seed=9)
    model = MatchModel.train(pairs)
    strong = gamma(given_name=0, surname=0, date_of_birth=0, postcode=0)
    weak = gamma(given_name=6, surname=0, date_of_birth=6, postcode=2)
    assert model.probability(strong) > 0.99
    assert model.probability(weak) < 0.05


def test_em_on_no_pairs_keeps_the_starting_model():
    model = MatchModel.train([])
    assert model.m == MatchModel.default().m
    assert model.training["pairs"] == 0


NAMES = ["William", "Bill", "Maria", "Mari", "Smith", "Smyth", "Garcia-Lopez", "Lopez", "", "J"]
dates = st.one_of(
    st.none(),
    st.builds(PartialDate, st.integers(1950, 1952)),
    st.builds(PartialDate, st.integers(1950, 1952), st.integers(1, 12), st.integers(1, 28)),
)
records = st.builds(
    MatchRecord,
    id=st.just("x"),
    given_name=st.sampled_from(NAMES),
    surname=st.sampled_from(NAMES),
    dob=dates,
    sex=st.sampled_from(["", "f", "m", "x"]),
    postcode=st.sampled_from(["", "4223", "4232", "98101"]),
    identifiers=st.sampled_from([(), ("ssn:123",), ("ssn:124",), ("dl:9",)]),
    other_names=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=2).map(
        tuple
    ),
)


@settings(max_examples=300)
@given(records, records)
def test_comparison_is_symmetric(a, b):
    assert compare(prepare(a), prepare(b)) == compare(prepare(b), prepare(a))


@settings(max_examples=300)
@given(records, records)
def test_probability_grows_with_weight_and_stays_a_probability(a, b):
    model = MatchModel.default()
    g = compare(prepare(a), prepare(b))
    p = model.probability(g)
    assert 0.0 <= p <= 1.0
    assert model.probability_from_weight(model.weight(g) + 1) >= p
