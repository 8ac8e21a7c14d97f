"""Tandem's person matcher: pure Python, no Django.

Records (`MatchRecord`) are prepared once (`prepare`), indexed by short keys
(`blocking_keys`, `search_keys`), compared field by field (`compare`, which gives a level
per comparison) and scored by a Fellegi-Sunter model (`MatchModel`) whose weights are
estimated from the data itself. `link` does all of it for a batch; `read_people_csv` and
`write_links_csv` are the file formats of the `match_csv` command.
"""

from tandem.matching.core.comparisons import COMPARISONS, Gamma, compare
from tandem.matching.core.csv_io import CsvError, read_people_csv, write_links_csv
from tandem.matching.core.dates import PartialDate
from tandem.matching.core.linking import (
    LinkResult,
    ScoredPair,
    candidate_pairs,
    link,
    random_u,
    rank_candidates,
    train_model,
)
from tandem.matching.core.model import MatchModel
from tandem.matching.core.prepared import Prepared, blocking_keys, prepare, search_keys
from tandem.matching.core.records import MatchRecord

__all__ = [
    "COMPARISONS",
    "CsvError",
    "Gamma",
    "LinkResult",
    "MatchModel",
    "MatchRecord",
    "PartialDate",
    "Prepared",
    "ScoredPair",
    "blocking_keys",
    "candidate_pairs",
    "compare",
    "link",
    "prepare",
    "random_u",
    "rank_candidates",
    "read_people_csv",
    "search_keys",
    "train_model",
    "write_links_csv",
]
