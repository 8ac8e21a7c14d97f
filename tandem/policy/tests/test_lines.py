"""The form's lines of text: read back exactly, and every mistake named by its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tandem.policy.lines import (
    LinesError,
    areas_text,
    history_text,
    offences_text,
    parse_areas,
    parse_history,
    parse_offences,
    parse_quantity_limits,
    quantity_limits_text,
)
from tandem.policy.rules import HistoryRule, Offence, SubstanceLimit
from tandem.policy.tests.factories import sample_rules


def test_the_lists_written_out_read_back_the_same():
    rules = sample_rules()

    assert parse_offences(offences_text(rules)) == rules.eligible_offences
    assert parse_quantity_limits(quantity_limits_text(rules)) == rules.quantity_limits
    assert parse_history(history_text(rules)) == rules.disqualifying_history
    assert parse_areas(areas_text(rules)) == rules.catchment_areas


def test_lines_are_trimmed_blank_lines_skipped_and_categories_lower_cased():
    text = "\n  RCW 9A.56.050 |  Theft under $750 | Property \n\n"

    assert parse_offences(text) == (Offence("RCW 9A.56.050", "Theft under $750", "property"),)


def test_grams_may_carry_their_unit():
    limits = parse_quantity_limits("heroin | powder | 3 g\ncocaine | any | 0.5 grams")

    assert limits == (
        SubstanceLimit("heroin", "powder", Decimal("3")),
        SubstanceLimit("cocaine", "any", Decimal("0.5")),
    )


def test_history_reads_years():
    assert parse_history("burglary | Burglary | 10\nsex_offence | Sex offence | 0") == (
        HistoryRule("burglary", "Burglary", 10),
        HistoryRule("sex_offence", "Sex offence", 0),
    )


@pytest.mark.parametrize(
    ("parse", "text", "messages"),
    [
        (
            parse_quantity_limits,
            "heroin | powder | 3\ncocaine | any | 2\nmeth | any | three",
            ["Line 3: the quantity 'three' is not a number."],
        ),
        (
            parse_quantity_limits,
            "heroin | powder | -2",
            ["Line 1: the quantity '-2' must be zero or more."],
        ),
        (
            parse_quantity_limits,
            "heroin | powder | 3\nHeroin | POWDER | 4",
            ["Line 2: Heroin (POWDER) already has a limit on line 1."],
        ),
        (
            parse_offences,
            "RCW 1 | One\nRCW 2 | Two | drug | extra",
            [
                "Line 1: write the code, the label and the category, separated by “|” "
                "(found 2 parts).",
                "Line 2: write the code, the label and the category, separated by “|” "
                "(found 4 parts).",
            ],
        ),
        (
            parse_offences,
            "RCW 1 | One | drug\n\nrcw  1 | Again | drug",
            ["Line 3: the offence code 'rcw  1' is already on line 1."],
        ),
        (parse_offences, " | Label | drug", ["Line 1: the code is missing."]),
        (
            parse_history,
            "burglary | Burglary | ten",
            ["Line 1: the look-back 'ten' is not a whole number of years."],
        ),
        (
            parse_history,
            "burglary | Burglary | 150",
            ["Line 1: the look-back '150' is more than 100 years."],
        ),
        (parse_areas, "Belltown\nbelltown", ["Line 2: 'belltown' is already on line 1."]),
    ],
)
def test_each_bad_line_is_named(parse, text, messages):
    with pytest.raises(LinesError) as raised:
        parse(text)

    assert raised.value.messages == messages
