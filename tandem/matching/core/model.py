"""The Fellegi-Sunter scoring model and its unsupervised estimation.

For each comparison and level the model holds m (how often two records of the same person
land at that level) and u (how often two records of different people do). The evidence of
a level is log2(m/u) bits; the evidence of a pair is the sum over its comparisons, missing
ones weighing nothing. With the prior (lambda: the chance that two records drawn at random
are the same person) this gives the probability that a pair is one person.

`train` fits m by expectation-maximisation over the comparison vectors of candidate pairs;
no labels are needed. Candidate pairs were picked because they agree on something, so
their own u and share of matches describe the blocking rather than the population. A
trained model therefore keeps EM's m but takes u from random pairs (`random_u`, as Splink
does) and turns EM's count of matches into a prior per random pair: the probability then
means the same whichever keys brought a pair together, in a batch or in an online lookup.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tandem.matching.core.comparisons import COMPARISONS, MISSING, Gamma

FORMAT = "tandem.matching.model"
VERSION = 1
# No level is ever certain or impossible: an estimate of 0 or 1 would let one comparison
# overrule all the others.
_FLOOR = 1e-6
_CEILING = 1.0 - 1e-6
_PRIOR_FLOOR = 1e-12
_PRIOR_CEILING = 0.999
# Weight of the starting values in EM, in pairs: enough to keep a level never seen in the
# data at a sensible value and a small file close to the hand-set model, too little to
# matter where there are thousands of pairs.
_PSEUDO_PAIRS = 20.0
_EXPLAIN_MIN_BITS = 0.5

# Probability thresholds. The link threshold was set so that automatic links keep a
# precision of at least 0.995 on the FEBRL benchmarks (bench/matching.py).
DEFAULT_LINK_AT = 0.99
DEFAULT_REVIEW_AT = 0.5

# Hand-set m and u (same order as the levels in COMPARISONS), used when nothing was trained
# and as the starting point of EM. u values describe two people drawn at random at one
# site. Address fields are kept weak: they say much the same thing four times over, people
# in LEAD often have no fixed address, and relatives share one.
_DEFAULT_M: tuple[tuple[float, ...], ...] = (
    (0.80, 0.05, 0.06, 0.04, 0.01, 0.02, 0.02),
    (0.85, 0.03, 0.06, 0.03, 0.01, 0.02),
    (0.97, 0.03),
    (0.85, 0.03, 0.02, 0.04, 0.01, 0.03, 0.02),
    (0.92, 0.04, 0.04),
    (0.97, 0.03),
    (0.80, 0.05, 0.15),
    (0.85, 0.05, 0.10),
    (0.60, 0.15, 0.10, 0.15),
    (0.97, 0.03),
)
_DEFAULT_U: tuple[tuple[float, ...], ...] = (
    (0.01, 0.002, 0.004, 0.03, 0.01, 0.01, 0.934),
    (0.005, 0.0005, 0.002, 0.02, 0.005, 0.9675),
    (0.97, 0.03),
    (0.00005, 0.00005, 0.0001, 0.0005, 0.0008, 0.015, 0.9835),
    (0.0001, 0.0005, 0.9994),
    (0.5, 0.5),
    (0.05, 0.05, 0.90),
    (0.30, 0.05, 0.65),
    (0.02, 0.01, 0.05, 0.92),
    (0.80, 0.20),
)
# The chance that two records drawn at random are one person: about one in the number of
# people at a site of a few thousand.
_DEFAULT_PRIOR = 1e-4

Table = tuple[tuple[float, ...], ...]


def _clip(value: float) -> float:
    return min(_CEILING, max(_FLOOR, value))


def _normalised(rows: Sequence[Sequence[float]]) -> Table:
    """Each row clipped away from 0 and 1 and scaled to sum to 1."""
    result = []
    for row in rows:
        clipped = [_clip(v) for v in row]
        total = sum(clipped)
        result.append(tuple(v / total for v in clipped))
    return tuple(result)


def _check_shape(rows: Sequence[Sequence[float]], what: str) -> None:
    if len(rows) != len(COMPARISONS):
        raise ValueError(f"{what} has {len(rows)} comparisons, expected {len(COMPARISONS)}")
    for row, comparison in zip(rows, COMPARISONS, strict=True):
        if len(row) != len(comparison.levels):
            raise ValueError(
                f"{what} for {comparison.key} has {len(row)} levels, "
                f"expected {len(comparison.levels)}"
            )


class MatchModel:
    """m and u per comparison level, the prior, and the two probability thresholds."""

    __slots__ = (
        "_log_prior_odds",
        "_weights",
        "link_at",
        "m",
        "prior",
        "review_at",
        "training",
        "u",
    )

    def __init__(
        self,
        *,
        m: Sequence[Sequence[float]],
        u: Sequence[Sequence[float]],
        prior: float,
        link_at: float = DEFAULT_LINK_AT,
        review_at: float = DEFAULT_REVIEW_AT,
        training: Mapping[str, Any] | None = None,
    ) -> None:
        _check_shape(m, "m")
        _check_shape(u, "u")
        if not 0.0 < prior < 1.0:
            raise ValueError(f"the prior must be between 0 and 1, not {prior}")
        if not 0.0 < review_at <= link_at < 1.0:
            raise ValueError(
                "thresholds must satisfy 0 < review_at <= link_at < 1, "
                f"not review_at={review_at}, link_at={link_at}"
            )
        self.m = _normalised(m)
        # A comparison that is not scored weighs nothing whatever was estimated: u = m.
        self.u = tuple(
            m_row if not comparison.scored else u_row
            for comparison, m_row, u_row in zip(COMPARISONS, self.m, _normalised(u), strict=True)
        )
        self.prior = min(_PRIOR_CEILING, max(_PRIOR_FLOOR, prior))
        self.link_at = link_at
        self.review_at = review_at
        self.training: dict[str, Any] = dict(training or {})
        self._weights = tuple(
            tuple(math.log2(mv / uv) for mv, uv in zip(mr, ur, strict=True))
            for mr, ur in zip(self.m, self.u, strict=True)
        )
        self._log_prior_odds = math.log2(self.prior / (1.0 - self.prior))

    def __repr__(self) -> str:
        return (
            f"MatchModel(prior={self.prior:.4g}, link_at={self.link_at}, "
            f"review_at={self.review_at})"
        )

    @classmethod
    def default(cls) -> MatchModel:
        """Sensible hand-set values for a site with nothing trained yet."""
        return cls(m=_DEFAULT_M, u=_DEFAULT_U, prior=_DEFAULT_PRIOR, training={"method": "default"})

    def with_thresholds(
        self, *, link_at: float | None = None, review_at: float | None = None
    ) -> MatchModel:
        """The same model with other thresholds (review_at may not exceed link_at; a review
        threshold above the link threshold raises the link threshold with it)."""
        review = self.review_at if review_at is None else review_at
        link = self.link_at if link_at is None else link_at
        return MatchModel(
            m=self.m,
            u=self.u,
            prior=self.prior,
            link_at=max(link, review),
            review_at=review,
            training=self.training,
        )

    # -- scoring ---------------------------------------------------------------------------

    def partial_weights(self, gamma: Gamma) -> tuple[float, ...]:
        """The evidence in bits of each comparison (0 where a value is missing)."""
        return tuple(
            0.0 if level == MISSING else row[level]
            for row, level in zip(self._weights, gamma, strict=True)
        )

    def weight(self, gamma: Gamma) -> float:
        """The evidence that the pair is one person, in bits (log2 of the Bayes factor)."""
        weights = self._weights
        total = 0.0
        for index, level in enumerate(gamma):
            if level >= 0:
                total += weights[index][level]
        return total

    def probability(self, gamma: Gamma) -> float:
        """The probability that a candidate pair with this comparison vector is one person."""
        return self.probability_from_weight(self.weight(gamma))

    def probability_from_weight(self, weight: float) -> float:
        odds = weight + self._log_prior_odds
        if odds > 60:
            return 1.0 - 2.0**-odds
        if odds < -60:
            return 2.0**odds
        return 1.0 / (1.0 + 2.0**-odds)

    def band(self, probability: float) -> str:
        """ "link" (safe to link automatically), "review" (a person should look) or "no-link"."""
        if probability >= self.link_at:
            return "link"
        if probability >= self.review_at:
            return "review"
        return "no-link"

    def explain(self, gamma: Gamma) -> str:
        """The evidence in plain words, strongest first; then what could not be compared.

        For example: "same surname; day and month of birth swapped; given name is a
        nickname of the other; no date of birth on one side".
        """
        found: list[tuple[float, str]] = []
        missing: list[str] = []
        name_bits = 0.0
        for comparison, row, level in zip(COMPARISONS, self._weights, gamma, strict=True):
            if level == MISSING:
                if comparison.missing_phrase:
                    missing.append(comparison.missing_phrase)
                continue
            phrase = comparison.levels[level].phrase
            if comparison.key in ("given_name", "surname"):
                name_bits = max(name_bits, abs(row[level]))
            if not comparison.scored:
                # Weighs nothing but says how the names were read: shown beside them.
                if phrase:
                    found.append((name_bits + 1e-6, phrase))
            elif phrase and abs(row[level]) >= _EXPLAIN_MIN_BITS:
                found.append((row[level], phrase))
        found.sort(key=lambda item: -abs(item[0]))
        parts = [phrase for _, phrase in found] + missing
        return "; ".join(parts) if parts else "nothing to compare"

    # -- estimation ------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        pairs: Sequence[Gamma],
        *,
        prior: float | None = None,
        max_iter: int = 100,
        u: Sequence[Sequence[float]] | None = None,
        total_pairs: int | None = None,
        start: MatchModel | None = None,
        tolerance: float = 1e-5,
    ) -> MatchModel:
        """Estimate the model from the comparison vectors of unlabelled candidate pairs.

        EM fits two classes to the candidate pairs (same person, different people): m, the
        u of candidate pairs and the share of matches among them. `prior` is EM's starting
        share (without it, the share the starting model would call a match).

        Candidate pairs were chosen because they agree on something, so their u overstates
        how often strangers agree. When `u` (measured on random pairs, see `random_u`) and
        `total_pairs` (the number of pairs the candidates were drawn from) are given, the
        model returned scores any pair like a random one: its u is the given u and its prior
        is the estimated number of matches divided by `total_pairs`. Otherwise it keeps
        the candidate pairs' u and share. Starting values come from `start` (default:
        `MatchModel.default()`, with `u` if given).
        """
        base = start or cls.default()
        counts = Counter(pairs)
        total = sum(counts.values())
        final_u = _normalised(u) if u is not None else None
        if total == 0:
            return cls(
                m=base.m,
                u=final_u or base.u,
                prior=base.prior,
                link_at=base.link_at,
                review_at=base.review_at,
                training={"method": "default", "pairs": 0},
            )
        scored = [i for i, comparison in enumerate(COMPARISONS) if comparison.scored]
        patterns = [
            (tuple((i, gamma[i]) for i in scored if gamma[i] >= 0), count)
            for gamma, count in counts.items()
        ]
        m_rows = [list(r) for r in base.m]
        u_rows = [list(r) for r in (final_u or base.u)]
        if prior is None:
            start_model = cls(m=m_rows, u=u_rows, prior=0.5)
            called = sum(count for gamma, count in counts.items() if start_model.weight(gamma) > 0)
            prior = called / total
        lam = min(0.9, max(1e-3, prior))
        start_m = [list(r) for r in m_rows]
        start_u = [list(r) for r in u_rows]
        iterations = 0
        converged = False
        for iterations in range(1, max_iter + 1):  # noqa: B007
            log_ratio = [
                [math.log(mv) - math.log(uv) for mv, uv in zip(mr, ur, strict=True)]
                for mr, ur in zip(m_rows, u_rows, strict=True)
            ]
            log_odds_prior = math.log(lam / (1.0 - lam))
            m_acc = [[_PSEUDO_PAIRS * v for v in row] for row in start_m]
            u_acc = [[_PSEUDO_PAIRS * v for v in row] for row in start_u]
            matched = 0.0
            for levels, count in patterns:
                odds = log_odds_prior
                for i, level in levels:
                    odds += log_ratio[i][level]
                if odds > 40:
                    p = 1.0
                elif odds < -40:
                    p = 0.0
                else:
                    p = 1.0 / (1.0 + math.exp(-odds))
                as_match = p * count
                as_other = count - as_match
                matched += as_match
                for i, level in levels:
                    m_acc[i][level] += as_match
                    u_acc[i][level] += as_other
            new_m = [_row_share(row) for row in m_acc]
            new_u = [_row_share(row) for row in u_acc]
            new_lam = min(_PRIOR_CEILING, max(_PRIOR_FLOOR, matched / total))
            change = max(abs(new_lam - lam), _max_change(new_m, m_rows), _max_change(new_u, u_rows))
            m_rows, u_rows, lam = new_m, new_u, new_lam
            if change < tolerance:
                converged = True
                break
        if _labels_flipped(m_rows, u_rows, scored):
            # EM found the two classes the wrong way round (possible with very few true
            # pairs): the class that agrees more is the one that is the same person.
            m_rows, u_rows, lam = u_rows, m_rows, 1.0 - lam
        matches = lam * total
        training: dict[str, Any] = {
            "method": "em",
            "pairs": total,
            "patterns": len(patterns),
            "iterations": iterations,
            "converged": converged,
            "estimated_matches": round(matches, 1),
        }
        if final_u is not None and total_pairs:
            u_rows = [list(r) for r in final_u]
            lam = min(0.5, max(_PRIOR_FLOOR, matches / total_pairs))
            training["method"] = "em+random-u"
            training["total_pairs"] = total_pairs
        return cls(
            m=m_rows,
            u=u_rows,
            prior=lam,
            link_at=base.link_at,
            review_at=base.review_at,
            training=training,
        )

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe description; `from_dict` reads it back."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "prior": self.prior,
            "link_at": self.link_at,
            "review_at": self.review_at,
            "training": dict(self.training),
            "comparisons": [
                {
                    "name": comparison.key,
                    "levels": [level.key for level in comparison.levels],
                    "m": list(m_row),
                    "u": list(u_row),
                }
                for comparison, m_row, u_row in zip(COMPARISONS, self.m, self.u, strict=True)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """Read what `to_dict` wrote. A model saved for other comparisons (an older or newer
        version of the matcher) raises ValueError: it has to be trained again."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ValueError("this is not a Tandem match model")
        if data.get("version") != VERSION:
            raise ValueError(
                f"match model version {data.get('version')!r} is not supported "
                f"(expected {VERSION}); train the model again"
            )
        try:
            comparisons = data["comparisons"]
            layout = [(c["name"], list(c["levels"])) for c in comparisons]
            expected = [(c.key, [level.key for level in c.levels]) for c in COMPARISONS]
            if layout != expected:
                raise ValueError(
                    "the match model was trained for other comparisons; train it again"
                )
            m = [[float(v) for v in c["m"]] for c in comparisons]
            u = [[float(v) for v in c["u"]] for c in comparisons]
            for row in (*m, *u):
                if any(not 0.0 < v <= 1.0 for v in row):
                    raise ValueError("m and u values must lie between 0 and 1")
            return cls(
                m=m,
                u=u,
                prior=float(data["prior"]),
                link_at=float(data["link_at"]),
                review_at=float(data["review_at"]),
                training=dict(data.get("training") or {}),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"the match model is incomplete or malformed ({exc})") from exc


def _labels_flipped(
    m_rows: Sequence[Sequence[float]], u_rows: Sequence[Sequence[float]], scored: Sequence[int]
) -> bool:
    """True when, on most compared fields, the "same person" class agrees less than the
    other."""
    votes = sum(1 if m_rows[i][0] < u_rows[i][0] else -1 for i in scored)
    return votes > 0


def _row_share(row: list[float]) -> list[float]:
    total = sum(row)
    return [_clip(v / total) for v in row]


def _max_change(new: Sequence[Sequence[float]], old: Sequence[Sequence[float]]) -> float:
    return max(
        abs(a - b) for rn, ro in zip(new, old, strict=True) for a, b in zip(rn, ro, strict=True)
    )
