"""Batch linking and deduplication: block, compare, estimate, score.

Two records are compared only when they share a blocking key. The model is estimated from
the data being linked unless one is given: u from random pairs (what agreement looks like
between different people), then m and the prior by EM over the candidate pairs.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tandem.matching.core.comparisons import COMPARISONS, MISSING, Gamma, compare
from tandem.matching.core.model import MatchModel
from tandem.matching.core.prepared import Prepared, blocking_keys, prepare
from tandem.matching.core.records import MatchRecord

# A key shared by more records than this says too little to be worth all its pairs (a
# placeholder date of birth such as 1900-01-01, a postcode of a shelter); such keys are
# skipped, and the other keys of the same records still bring true twins together.
MAX_BLOCK_SIZE = 500
# Random pairs drawn to measure u for the levels other than exact agreement (which is
# counted from value frequencies instead).
RANDOM_PAIRS = 50_000
RANDOM_SEED = 20_240_601
# Pseudo-pairs pulling u towards the hand-set values where random pairs saw (almost)
# nothing: a level never seen among strangers is rare, not impossible.
_U_PSEUDO_PAIRS = 5.0
# Weight of the hand-set u, in pairs, against u measured on a small file: a file of 30
# people has only 435 pairs, too few to say how often strangers agree.
_U_DEFAULT_PAIRS = 1000.0
# With fewer candidate pairs than this, estimating a model is guesswork: link() uses the
# hand-set model instead (and says so in model.training).
MIN_PAIRS_TO_ESTIMATE = 100


@dataclass(frozen=True, slots=True)
class ScoredPair:
    left_id: str
    right_id: str
    probability: float
    weight: float
    band: str
    explanation: str


@dataclass(frozen=True, slots=True)
class LinkResult:
    pairs: list[ScoredPair]  # at or above the review threshold, best first
    model: MatchModel
    candidates: int  # candidate pairs compared


def candidate_pairs(
    left: Sequence[Prepared], right: Sequence[Prepared] | None = None
) -> list[tuple[int, int]]:
    """Index pairs (i, j) of records sharing a blocking key, each pair once.

    Without `right`, pairs within `left` with i < j (deduplication); with it, i indexes
    `left` and j indexes `right`.
    """
    blocks: dict[str, list[int]] = {}
    for index, prepared in enumerate(left):
        for key in blocking_keys(prepared):
            blocks.setdefault(key, []).append(index)
    seen: set[int] = set()
    if right is None:
        width = len(left)
        for members in blocks.values():
            size = len(members)
            if size < 2 or size > MAX_BLOCK_SIZE:
                continue
            for a in range(size):
                base = members[a] * width
                for b in range(a + 1, size):
                    seen.add(base + members[b])
        return sorted(divmod(code, width) for code in seen)
    right_blocks: dict[str, list[int]] = {}
    for index, prepared in enumerate(right):
        for key in blocking_keys(prepared):
            right_blocks.setdefault(key, []).append(index)
    width = len(right)
    for key, right_members in right_blocks.items():
        left_members = blocks.get(key)
        if left_members is None or len(left_members) * len(right_members) > MAX_BLOCK_SIZE**2:
            continue
        for i in left_members:
            base = i * width
            for j in right_members:
                seen.add(base + j)
    return sorted(divmod(code, width) for code in seen)


def _exact_values(p: Prepared) -> tuple[str, ...]:
    """The value each comparison's level 0 (exact agreement) looks at, "" when missing."""
    name = p.names[0]
    return (
        name.given,
        name.surname,
        "",
        p.dob_digits,
        min(p.identifiers) if p.identifiers else "",
        p.sex,
        p.postcode,
        p.city,
        p.street,
        p.state,
    )


def _exact_shares(left: Sequence[Prepared], right: Sequence[Prepared] | None) -> list[float | None]:
    """For each comparison, the share of pairs with both values present that agree exactly,
    from how often each value occurs: sum over values of p_left(v) * p_right(v). Exact and
    cheap, where sampling would see a rare agreement (a date of birth) only a few times."""
    left_values = [_exact_values(p) for p in left]
    right_values = [_exact_values(p) for p in right] if right is not None else None
    shares: list[float | None] = []
    for index in range(len(COMPARISONS)):
        left_counts = Counter(v[index] for v in left_values if v[index])
        left_total = sum(left_counts.values())
        if right_values is None:
            pairs = left_total * (left_total - 1)
            same = sum(c * (c - 1) for c in left_counts.values())
        else:
            right_counts = Counter(v[index] for v in right_values if v[index])
            pairs = left_total * sum(right_counts.values())
            same = sum(c * right_counts.get(v, 0) for v, c in left_counts.items())
        shares.append(same / pairs if pairs else None)
    return shares


def random_u(
    left: Sequence[Prepared],
    right: Sequence[Prepared] | None = None,
    *,
    samples: int = RANDOM_PAIRS,
    seed: int = RANDOM_SEED,
) -> tuple[tuple[float, ...], ...]:
    """u per comparison level: how often two different people agree that well.

    Nearly every random pair is two different people. Exact agreement is counted from value
    frequencies (see `_exact_shares`); the other levels from `samples` random pairs
    (within `left`, or across `left` and `right`), with a few pseudo-pairs of the hand-set
    values so that a level never seen among strangers stays rare rather than impossible.
    The result leans on the hand-set u in proportion to how few pairs the data offer.
    """
    default_u = MatchModel.default().u
    other = right if right is not None else left
    if len(left) == 0 or len(other) == 0 or (right is None and len(left) < 2):
        return default_u
    rng = random.Random(seed)  # noqa: S311 - a sample for statistics, not a secret
    randrange = rng.randrange
    n_left, n_other = len(left), len(other)
    counts = [[0] * len(c.levels) for c in COMPARISONS]
    for _ in range(samples):
        i = randrange(n_left)
        j = randrange(n_other)
        if right is None and i == j:
            continue
        for index, level in enumerate(compare(left[i], other[j])):
            if level != MISSING:
                counts[index][level] += 1
    exact = _exact_shares(left, right)
    blend = _U_DEFAULT_PAIRS / (_total_pairs(left, right) + _U_DEFAULT_PAIRS)
    result = []
    for row, prior_row, share in zip(counts, default_u, exact, strict=True):
        if share is None:
            seen = sum(row)
            result.append(
                tuple(
                    (count + _U_PSEUDO_PAIRS * p) / (seen + _U_PSEUDO_PAIRS)
                    for count, p in zip(row, prior_row, strict=True)
                )
            )
            continue
        rest_seen = sum(row[1:])
        rest_prior = sum(prior_row[1:])
        result.append(
            (
                share,
                *(
                    (1.0 - share)
                    * (count + _U_PSEUDO_PAIRS * p / rest_prior)
                    / (rest_seen + _U_PSEUDO_PAIRS)
                    for count, p in zip(row[1:], prior_row[1:], strict=True)
                ),
            )
        )
    return tuple(
        tuple((1.0 - blend) * v + blend * d for v, d in zip(row, prior_row, strict=True))
        for row, prior_row in zip(result, default_u, strict=True)
    )


def _total_pairs(left: Sequence[Prepared], right: Sequence[Prepared] | None) -> int:
    if right is None:
        return len(left) * (len(left) - 1) // 2
    return len(left) * len(right)


def _estimate(
    gammas: Sequence[Gamma], left: Sequence[Prepared], right: Sequence[Prepared] | None
) -> MatchModel:
    if len(gammas) < MIN_PAIRS_TO_ESTIMATE:
        default = MatchModel.default()
        return MatchModel(
            m=default.m,
            u=default.u,
            prior=default.prior,
            training={
                "method": "default",
                "reason": "too few pairs to estimate",
                "pairs": len(gammas),
            },
        )
    return MatchModel.train(
        gammas, u=random_u(left, right), total_pairs=max(1, _total_pairs(left, right))
    )


def score_pairs(
    gammas: Iterable[tuple[str, str, Gamma]], model: MatchModel, *, threshold: float
) -> list[ScoredPair]:
    """ScoredPairs at or above `threshold`, best first. Weight, probability and explanation
    are worked out once per distinct comparison vector."""
    scores: dict[Gamma, tuple[float, float]] = {}
    explanations: dict[Gamma, tuple[str, str]] = {}
    result: list[ScoredPair] = []
    for left_id, right_id, gamma in gammas:
        score = scores.get(gamma)
        if score is None:
            weight = model.weight(gamma)
            score = scores[gamma] = (weight, model.probability_from_weight(weight))
        weight, probability = score
        if probability < threshold:
            continue
        described = explanations.get(gamma)
        if described is None:
            described = explanations[gamma] = (model.band(probability), model.explain(gamma))
        result.append(ScoredPair(left_id, right_id, probability, weight, *described))
    result.sort(key=lambda p: (-p.weight, p.left_id, p.right_id))
    return result


def rank_candidates(
    query: Prepared,
    candidates: Sequence[Prepared],
    model: MatchModel,
    *,
    threshold: float = 0.0,
) -> list[ScoredPair]:
    """Score one record against candidates fetched by key (left_id is the query's id),
    best first: the online lookup behind a person search or an incoming feed row."""
    query_id = query.record.id
    return score_pairs(
        ((query_id, c.record.id, compare(query, c)) for c in candidates),
        model,
        threshold=threshold,
    )


def link(
    existing: Sequence[MatchRecord],
    incoming: Sequence[MatchRecord] | None = None,
    *,
    model: MatchModel | None = None,
    review_at: float | None = None,
) -> LinkResult:
    """Link `incoming` to `existing`, or deduplicate `existing` when `incoming` is None.

    Without `model`, one is estimated from these records. Returns the pairs at or above
    the review threshold (`review_at`, else the model's), best first; for linking,
    left_id is the incoming record and right_id the existing one.
    """
    if review_at is not None and not 0.0 < review_at < 1.0:
        raise ValueError(f"the review threshold must lie between 0 and 1, not {review_at}")
    left = [prepare(r) for r in existing]
    right = [prepare(r) for r in incoming] if incoming is not None else None
    if right is None:
        index_pairs = candidate_pairs(left)
        gammas = [compare(left[i], left[j]) for i, j in index_pairs]
        ids = [(left[i].record.id, left[j].record.id) for i, j in index_pairs]
    else:
        # Block with incoming on the left so that left_id is the incoming record.
        index_pairs = candidate_pairs(right, left)
        gammas = [compare(right[i], left[j]) for i, j in index_pairs]
        ids = [(right[i].record.id, left[j].record.id) for i, j in index_pairs]
    used = model if model is not None else _estimate(gammas, left, right)
    if review_at is not None:
        used = used.with_thresholds(review_at=review_at)
    pairs = score_pairs(
        ((a, b, g) for (a, b), g in zip(ids, gammas, strict=True)),
        used,
        threshold=used.review_at,
    )
    return LinkResult(pairs=pairs, model=used, candidates=len(gammas))


def train_model(records: Sequence[MatchRecord]) -> MatchModel:
    """Estimate a model from one site's records, unsupervised: candidate pairs from
    deduplication blocking, u from random pairs, m and the prior by EM."""
    prepared = [prepare(r) for r in records]
    gammas = [compare(prepared[i], prepared[j]) for i, j in candidate_pairs(prepared)]
    return _estimate(gammas, prepared, None)
