import re

import pytest

from tandem.matching.core import PartialDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-03-04", PartialDate(1980, 3, 4)),
        ("1980-03", PartialDate(1980, 3)),
        ("1980", PartialDate(1980)),
        ("19800304", PartialDate(1980, 3, 4)),
        ("  1980-3-4 ", PartialDate(1980, 3, 4)),
        ("2000-02-29", PartialDate(2000, 2, 29)),
    ],
)
def test_it_reads_whole_and_partial_dates(text, expected):
    assert PartialDate.parse(text) == expected


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_date_is_unknown(text):
    assert PartialDate.parse(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1980-13-01", "'1980-13-01' is not a date: month 13 does not exist"),
        ("1981-02-29", "'1981-02-29' is not a date: February 1981 has 28 days, not 29"),
        ("19801301", "'19801301' is not a date: month 13 does not exist"),
        ("04/03/1980", "'04/03/1980' is not a date: write it as YYYY-MM-DD"),
        ("0000", "'0000' is not a date: year 0 does not exist"),
        ("1980-00", "month 0 does not exist"),
        ("yesterday", "is not a date"),
    ],
)
def test_a_bad_date_is_refused_with_a_plain_message(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PartialDate.parse(text)


def test_a_day_without_a_month_cannot_be_built():
    with pytest.raises(ValueError, match="a day needs a month"):
        PartialDate(1980, None, 4)


def test_it_writes_back_what_is_known():
    assert PartialDate(1980).isoformat() == "1980"
    assert PartialDate(1980, 3).isoformat() == "1980-03"
    assert str(PartialDate(1980, 3, 4)) == "1980-03-04"
