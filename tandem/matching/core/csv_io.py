"""The CSV formats of `match_csv`: people in, scored links out.

People files are read strictly: every problem found (up to MAX_PROBLEMS) is reported with
the file's label and the row number as a spreadsheet shows it (the header is row 1), and
nothing is returned unless the whole file is good.

Columns, one person a row, UTF-8 (a byte-order mark is allowed):
    id              required, unique, not empty
    given_name, middle_name, surname
    date_of_birth   YYYY-MM-DD, YYYY-MM, YYYY or YYYYMMDD; empty when unknown
    sex             f, m, female or male; anything else is kept but not compared
    street, city, postcode, state
    identifier      optional column: "kind:value", several separated by ";"
Every column but identifier must be in the header; any value but the id may be empty.
Other columns are ignored.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from tandem.matching.core.dates import PartialDate
from tandem.matching.core.linking import ScoredPair
from tandem.matching.core.records import MatchRecord

REQUIRED_COLUMNS = (
    "id",
    "given_name",
    "middle_name",
    "surname",
    "date_of_birth",
    "sex",
    "street",
    "city",
    "postcode",
    "state",
)
OPTIONAL_COLUMNS = ("identifier",)
LINK_COLUMNS = ("incoming_id", "existing_id", "probability", "band", "explanation")
MAX_PROBLEMS = 20


class CsvError(ValueError):
    """A people file that cannot be used; `problems` lists each reason in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []
        self.more = False

    def add(self, message: str, row: int | None = None) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.more = True
            return
        where = f"{self.label}: row {row}: " if row is not None else f"{self.label}: "
        self.items.append(where + message)

    def raise_if_any(self) -> None:
        if self.items:
            if self.more:
                self.items.append(f"{self.label}: more problems not shown")
            raise CsvError(self.items)


def _read_bytes(path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str], label: str) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        try:
            data: bytes | str = Path(path_or_file).read_bytes()
        except OSError as exc:
            raise CsvError([f"{label}: cannot read the file ({exc.strerror or exc})"]) from exc
    else:
        data = path_or_file.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise CsvError(
            [
                f"{label}: row {row}: not UTF-8 text (byte {data[exc.start]:#04x} at byte "
                f"offset {exc.start}); save the file as UTF-8 CSV"
            ]
        ) from exc


def read_people_csv(
    path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str], *, label: str
) -> list[MatchRecord]:
    """Every person of a people file, or CsvError listing what is wrong with it."""
    text = _read_bytes(path_or_file, label)
    problems = _Problems(label)
    if not text.strip():
        problems.add("the file is empty; it needs a header row and at least one person")
        problems.raise_if_any()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        raise CsvError([f"{label}: row 1: cannot read the header ({exc})"]) from exc
    seen_names: set[str] = set()
    for name in header:
        if name and name in seen_names:
            problems.add(f"column '{name}' appears twice", 1)
        seen_names.add(name)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen_names]
    if missing:
        problems.add(
            "missing column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + " (the columns are: "
            + ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
            + ")",
            1,
        )
        problems.raise_if_any()
    position = {
        name: header.index(name)
        for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        if name in seen_names
    }
    records: list[MatchRecord] = []
    first_row: dict[str, int] = {}
    row_number = 1
    try:
        for row in reader:
            row_number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.add(f"{len(row)} fields, but the header has {len(header)}", row_number)
                continue
            values = {name: row[i].strip() for name, i in position.items()}
            record_id = values["id"]
            if not record_id:
                problems.add("the id is empty", row_number)
            elif record_id in first_row:
                problems.add(
                    f"id '{record_id}' is used again (first on row {first_row[record_id]})",
                    row_number,
                )
            else:
                first_row[record_id] = row_number
            try:
                dob = PartialDate.parse(values["date_of_birth"])
            except ValueError as exc:
                problems.add(f"date_of_birth: {exc}", row_number)
                dob = None
            if problems.more:
                break
            identifiers = tuple(
                part.strip() for part in values.get("identifier", "").split(";") if part.strip()
            )
            records.append(
                MatchRecord(
                    id=record_id,
                    given_name=values["given_name"],
                    middle_name=values["middle_name"],
                    surname=values["surname"],
                    dob=dob,
                    sex=values["sex"],
                    street=values["street"],
                    city=values["city"],
                    postcode=values["postcode"],
                    state=values["state"],
                    identifiers=identifiers,
                )
            )
    except csv.Error as exc:
        problems.add(f"cannot read the CSV ({exc})", reader.line_num)
    if not problems.items and not records:
        problems.add("no data rows: the file has a header but no people")
    problems.raise_if_any()
    return records


# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """An id from an input file as a cell no spreadsheet will run: a leading formula
    character is escaped with an apostrophe, which spreadsheets show as text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def write_links_csv(pairs: Iterable[ScoredPair], file: IO[str]) -> None:
    """One row per pair: incoming_id, existing_id, probability (4 decimals), band,
    explanation. The ids come from the input files, so they are made spreadsheet-safe."""
    writer = csv.writer(file)
    writer.writerow(LINK_COLUMNS)
    for pair in pairs:
        writer.writerow(
            (
                spreadsheet_safe(pair.left_id),
                spreadsheet_safe(pair.right_id),
                f"{pair.probability:.4f}",
                pair.band,
                pair.explanation,
            )
        )
