"""Batch linking and deduplication on a small hand-made site."""

import pytest

from tandem.matching.core import (
    LinkResult,
    MatchModel,
    MatchRecord,
    PartialDate,
    ScoredPair,
    candidate_pairs,
    link,
    prepare,
    random_u,
    rank_candidates,
    train_model,
)
from tandem.matching.core.linking import MIN_PAIRS_TO_ESTIMATE
from tandem.matching.tests.synthetic_people import population


def p(id, given, surname, dob="", **extra):
    return MatchRecord(
        id=id, given_name=given, surname=surname, dob=PartialDate.parse(dob), **extra
    )


EXISTING = [
    p("e1", "William", "Harper", "1978-03-04", postcode="98101", city="Seattle", sex="m"),
    p("e2", "Margaret", "O'Connell", "1965-11-23", postcode="98104", city="Seattle", sex="f"),
    p("e3", "Francisco", "Garcia-Lopez", "1990-07-15", postcode="98122", city="Seattle"),
    p("e4", "Danny", "Stephenson", "1983-10-19", postcode="98133", city="Seattle"),
    p("e5", "Tanya", "Harper", "1981-06-30", postcode="98101", city="Seattle", sex="f"),
    p("e6", "Robert", "Nguyen", "1972-01-09", identifiers=("booking:B-1001",)),
    p("e7", "Aisha", "Mohamed", "1995-05-05", postcode="98108", city="Seattle"),
    p("e8", "Luis", "Fernandez", "1959-12-01", postcode="98144", city="Seattle"),
]
INCOMING = [
    # William Harper, as "Bill", with day and month swapped.
    p("i1", "Bill", "Harper", "1978-04-03", postcode="98101", city="Seattle", sex="m"),
    # Margaret as Peggy, date of birth unknown.
    p("i2", "Peggy", "OConnell", "", postcode="98104", city="Seattle", sex="f"),
    # Francisco as Paco with one part of his surname.
    p("i3", "Paco", "Lopez", "1990-07-15", postcode="98122", city="Seattle"),
    # Danny with given name and surname swapped.
    p("i4", "Stephenson", "Danny", "1983-10-19", postcode="98133"),
    # Someone new who lives with the Harpers.
    p("i5", "Kevin", "Harper", "2001-02-17", postcode="98101", city="Seattle", sex="m"),
    # Robert by his booking number and a typo in the surname.
    p("i6", "Robert", "Nguyenn", "1972-01-09", identifiers=("booking:B-1001",)),
]
TRUE_LINKS = {("i1", "e1"), ("i2", "e2"), ("i3", "e3"), ("i4", "e4"), ("i6", "e6")}


def test_it_links_each_incoming_record_to_the_right_person():
    result = link(EXISTING, INCOMING, model=MatchModel.default(), review_at=0.3)

    assert isinstance(result, LinkResult)
    found = {(pair.left_id, pair.right_id) for pair in result.pairs}
    assert found == TRUE_LINKS
    assert result.candidates >= len(TRUE_LINKS)


def test_a_household_member_is_never_linked():
    result = link(EXISTING, INCOMING, model=MatchModel.default(), review_at=1e-9)

    kevin = [pair for pair in result.pairs if pair.left_id == "i5"]
    assert kevin, "Kevin shares a surname and an address with two people: he is compared"
    assert all(pair.probability < 0.5 for pair in kevin)
    assert not any(pair.band == "link" for pair in kevin)


def test_pairs_come_best_first_with_their_explanation():
    result = link(EXISTING, INCOMING, model=MatchModel.default(), review_at=0.3)

    probabilities = [pair.probability for pair in result.pairs]
    assert probabilities == sorted(probabilities, reverse=True)
    by_left = {pair.left_id: pair for pair in result.pairs}
    assert "day and month of birth swapped" in by_left["i1"].explanation
    assert "given name is a nickname of the other" in by_left["i1"].explanation
    assert "no date of birth on one side" in by_left["i2"].explanation
    assert "share one part of a two-part surname" in by_left["i3"].explanation
    assert "given name and surname swapped" in by_left["i4"].explanation
    assert "same identifier" in by_left["i6"].explanation


def test_deduplication_reports_each_pair_once():
    twin = p("d1", "Bill", "Harper", "1978-03-04", postcode="98101", city="Seattle", sex="m")
    records = [*EXISTING, twin]
    result = link(records, model=MatchModel.default(), review_at=0.3)

    assert [(pair.left_id, pair.right_id) for pair in result.pairs] == [("e1", "d1")]
    assert result.pairs[0].band == "link"


def test_with_too_few_records_it_falls_back_to_the_hand_set_model():
    result = link(EXISTING, INCOMING)

    assert result.model.training["method"] == "default"
    assert result.candidates < MIN_PAIRS_TO_ESTIMATE
    found = {(pair.left_id, pair.right_id) for pair in result.pairs}
    assert found <= TRUE_LINKS
    assert {("i1", "e1"), ("i4", "e4"), ("i6", "e6")} <= found


def test_without_a_model_it_estimates_one_from_the_records():
    existing, incoming = population(people=400, duplicates=100, seed=3)

    result = link(existing, incoming)

    assert result.model.training["method"] == "em+random-u"
    assert result.model.training["pairs"] == result.candidates >= MIN_PAIRS_TO_ESTIMATE
    # 100 of the 200 incoming records are people already known.
    assert result.model.training["estimated_matches"] == pytest.approx(100, abs=10)
    true = {pair for pair in result.pairs if pair.left_id == "d" + pair.right_id[1:]}
    linked = [pair for pair in result.pairs if pair.band == "link"]
    assert len(true) >= 95
    assert sum(pair in true for pair in linked) / len(linked) >= 0.97


def test_a_review_threshold_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        link(EXISTING, INCOMING, review_at=1.0)


def test_candidate_pairs_for_deduplication_are_ordered_and_unique():
    prepared = [prepare(r) for r in EXISTING]
    pairs = candidate_pairs(prepared)
    assert all(i < j for i, j in pairs)
    assert len(pairs) == len(set(pairs))
    # William and Tanya Harper share a surname, a year-free key and a postcode.
    assert (0, 4) in pairs


def test_rank_candidates_scores_one_record_against_fetched_people():
    query = prepare(INCOMING[0])
    ranked = rank_candidates(query, [prepare(r) for r in EXISTING], MatchModel.default())
    assert isinstance(ranked[0], ScoredPair)
    assert (ranked[0].left_id, ranked[0].right_id) == ("i1", "e1")
    assert len(ranked) == len(EXISTING)


def test_train_model_estimates_from_one_sites_records():
    existing, incoming = population(people=400, duplicates=100, seed=4)

    model = train_model(existing + incoming)

    assert model.training["method"] == "em+random-u"
    assert model.training["estimated_matches"] == pytest.approx(100, abs=10)
    # The prior is per pair of records drawn at random from the site's 600.
    assert model.prior == pytest.approx(100 / (600 * 599 / 2), rel=0.2)


def test_random_u_counts_exact_agreement_from_value_frequencies():
    # 1,200 Anas and 800 Bos: of the 2,000 * 1,999 ordered pairs, 1,200 * 1,199 + 800 * 799
    # agree on the given name, whichever pairs the sample happens to draw.
    people = [p(str(n), "Ana" if n < 1200 else "Bo", f"Person{n}", "") for n in range(2000)]
    u = random_u([prepare(r) for r in people], samples=200)
    assert u[0][0] == pytest.approx((1200 * 1199 + 800 * 799) / (2000 * 1999), rel=1e-3)
    assert sum(u[0]) == pytest.approx(1.0)


def test_random_u_of_a_tiny_file_stays_close_to_the_hand_set_values():
    people = [p(str(n), "Ana", "Ruiz", "") for n in range(5)]
    u = random_u([prepare(r) for r in people], samples=200)
    assert u[0][0] < 0.02
