"""The people file reader refuses bad files with every problem and its row."""

import io
from importlib import resources

import pytest

from tandem.matching.core import (
    CsvError,
    MatchRecord,
    PartialDate,
    ScoredPair,
    read_people_csv,
    write_links_csv,
)
from tandem.matching.core.names import nickname_groups, nickname_table

HEADER = "id,given_name,middle_name,surname,date_of_birth,sex,street,city,postcode,state"


def write(tmp_path, text, *, name="people.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def problems(tmp_path, text, **kwargs):
    with pytest.raises(CsvError) as caught:
        read_people_csv(write(tmp_path, text, **kwargs), label="people.csv")
    assert isinstance(caught.value, ValueError)
    return caught.value.problems


def test_it_reads_a_good_file(tmp_path):
    text = (
        HEADER + ",identifier\n"
        "p1,José,María,García-López,1980-03-04,F,1 Pike St,Seattle,98101,WA,ssn:123; dl:W1\n"
        "p2,Bill,,Smith,1975,,,,,,\n"
        "\n"
        "p3,Ana,,Ruiz,,x,,,,,\n"
    )
    records = read_people_csv(write(tmp_path, text), label="people.csv")
    assert records[0] == MatchRecord(
        id="p1",
        given_name="José",
        middle_name="María",
        surname="García-López",
        dob=PartialDate(1980, 3, 4),
        sex="F",
        street="1 Pike St",
        city="Seattle",
        postcode="98101",
        state="WA",
        identifiers=("ssn:123", "dl:W1"),
    )
    assert records[1].dob == PartialDate(1975)
    assert [r.id for r in records] == ["p1", "p2", "p3"]
    assert records[2].dob is None


def test_it_accepts_a_byte_order_mark_and_an_open_file(tmp_path):
    data = ("\ufeff" + HEADER + "\np1,Ana,,Ruiz,,,,,,\n").encode()
    assert read_people_csv(io.BytesIO(data), label="upload")[0].id == "p1"
    assert read_people_csv(io.StringIO(HEADER + "\np1,Ana,,Ruiz,,,,,,\n"), label="x")[0].id == "p1"


def test_missing_columns_are_named(tmp_path):
    found = problems(tmp_path, "id,given_name,surname\np1,Ana,Ruiz\n")
    assert len(found) == 1
    assert found[0].startswith("people.csv: row 1: missing columns middle_name, date_of_birth")


def test_duplicate_and_empty_ids_are_reported_with_their_rows(tmp_path):
    text = HEADER + "\np1,Ana,,Ruiz,,,,,,\np1,Bo,,Lee,,,,,,\n,Cy,,Wu,,,,,,\n"
    assert problems(tmp_path, text) == [
        "people.csv: row 3: id 'p1' is used again (first on row 2)",
        "people.csv: row 4: the id is empty",
    ]


def test_bad_dates_are_all_reported(tmp_path):
    text = (
        HEADER
        + "\np1,Ana,,Ruiz,1980-13-01,,,,,\np2,Bo,,Lee,1981-02-29,,,,,\np3,Cy,,Wu,03/04/1980,,,,,\n"
    )
    found = problems(tmp_path, text)
    assert found[0] == (
        "people.csv: row 2: date_of_birth: '1980-13-01' is not a date: month 13 does not exist"
    )
    assert found[1].startswith("people.csv: row 3: date_of_birth: '1981-02-29' is not a date")
    assert found[2].startswith("people.csv: row 4: date_of_birth: '03/04/1980' is not a date")


def test_a_file_that_is_not_utf8_says_where(tmp_path):
    data = (HEADER + "\np1,Ana,,Ruiz,,,,,,\np2,Jos").encode() + b"\xe9" + b",,Lee,,,,,,\n"
    found = problems(tmp_path, data)
    assert len(found) == 1
    offset = data.index(b"\xe9")
    assert found[0] == (
        f"people.csv: row 3: not UTF-8 text (byte 0xe9 at byte offset {offset}); "
        "save the file as UTF-8 CSV"
    )


def test_an_empty_file_is_refused(tmp_path):
    assert problems(tmp_path, "") == [
        "people.csv: the file is empty; it needs a header row and at least one person"
    ]


def test_a_header_without_people_is_refused(tmp_path):
    assert problems(tmp_path, HEADER + "\n\n") == [
        "people.csv: no data rows: the file has a header but no people"
    ]


def test_a_row_with_the_wrong_number_of_fields_is_reported(tmp_path):
    assert problems(tmp_path, HEADER + "\np1,Ana,,Ruiz\n") == [
        "people.csv: row 2: 4 fields, but the header has 10"
    ]


def test_an_unreadable_file_is_reported(tmp_path):
    with pytest.raises(CsvError, match=r"people\.csv: cannot read the file"):
        read_people_csv(tmp_path / "absent.csv", label="people.csv")


def test_problems_stop_after_twenty(tmp_path):
    rows = "".join(f"p{i},Ana,,Ruiz,1980-13-01,,,,,\n" for i in range(50))
    found = problems(tmp_path, HEADER + "\n" + rows)
    assert len(found) == 21
    assert found[-1] == "people.csv: more problems not shown"


def test_links_are_written_with_four_decimals():
    out = io.StringIO()
    write_links_csv(
        [ScoredPair("i1", "e1", 0.987654, 12.3, "review", "same surname; dates of birth differ")],
        out,
    )
    assert out.getvalue().splitlines() == [
        "incoming_id,existing_id,probability,band,explanation",
        "i1,e1,0.9877,review,same surname; dates of birth differ",
    ]


def test_the_nickname_table_ships_inside_the_package():
    text = resources.files("tandem.matching.core").joinpath("data/nicknames.csv").read_text("utf-8")
    assert "william,bill" in text
    assert len(nickname_table()) >= 300
    assert not nickname_groups("bill").isdisjoint(nickname_groups("william"))
    assert not nickname_groups("paco").isdisjoint(nickname_groups("francisco"))
