"""A policy in plain words, and what changed between versions, as the PCG reads them."""

from __future__ import annotations

from decimal import Decimal

from tandem.policy.rules import HistoryRule, Offence, SubstanceLimit
from tandem.policy.tests.factories import sample_rules
from tandem.policy.wording import DEPARTURE, changes, describe


def test_the_first_version_says_so():
    assert changes(None, sample_rules()) == ["The site's first policy version."]


def test_an_unchanged_policy_says_nothing_changed():
    assert changes(sample_rules(), sample_rules()) == [
        "No rule changed: the PCG re-adopted the same policy."
    ]


def test_every_kind_of_change_is_described():
    old = sample_rules()
    new = sample_rules(
        eligible_offences=(
            Offence("RCW 69.50.4013", "Possession of a controlled substance", "drug"),
            Offence("RCW 9A.56.050", "Theft in the third degree", "property"),
            Offence("RCW 36.57A.230", "Transit fare evasion", "transit"),
        ),
        quantity_limits=(
            SubstanceLimit("heroin", "powder", Decimal("6")),
            SubstanceLimit("cocaine", "any", Decimal("3")),
            SubstanceLimit("fentanyl", "powder", Decimal("1")),
        ),
        minimum_age=21,
        disqualifying_history=(HistoryRule("burglary", "Burglary", 5),),
        exclude_dealing_for_profit=False,
        catchment_areas=("Belltown", "Downtown"),
        referrers={
            "arrest": ("police_officer", "police_sergeant"),
            "social_contact": ("police_officer",),
            "community": (),
        },
        approver_roles=("prosecutor",),
        intake_deadline_days=14,
        ends_participation_for_nonparticipation=True,
    )

    assert changes(old, new) == [
        "Offence added: Transit fare evasion (RCW 36.57A.230).",
        "Offence removed: Prostitution (RCW 9A.88.030).",
        "Offence RCW 9A.56.050 renamed from “Theft under $750” to “Theft in the third degree”.",
        "Quantity limit added: more than 1 g of fentanyl (powder) is excluded.",
        "Quantity limit for heroin (tar) removed.",
        "Quantity limit for heroin (powder) changed from 3 g to 6 g.",
        "Minimum age changed from 18 to 21.",
        "Disqualifying history removed: exploiting minors.",
        "Look-back for burglary changed from 10 years to 5 years.",
        "Dealing drugs for profit is no longer excluded.",
        "Participation now ends for non-participation: a departure from the LEAD model.",
        "Catchment area added: Downtown.",
        "Catchment area removed: Pioneer Square.",
        "Social contact referrals: no longer police sergeant.",
        "Community referrals: the door is now closed.",
        "Approvers: now also liaison prosecutor.",
        "Approvers: no longer police sergeant, project manager.",
        "Intake deadline changed from 30 days to 14 days.",
    ]


def test_a_catchment_set_for_the_first_time_and_an_opened_door():
    old = sample_rules(catchment_areas=(), referrers={"arrest": ("police_officer",)})
    new = sample_rules(
        catchment_areas=("Belltown",),
        referrers={"arrest": ("police_officer",), "community": ("community",)},
    )

    assert changes(old, new) == [
        "Catchment area set: Belltown (before: anywhere).",
        "Community referrals: the door is now open to anyone, through the public referral form.",
    ]


def test_the_policy_in_plain_words():
    sections = {s.title: s.lines for s in describe(sample_rules())}

    assert "Theft under $750 (RCW 9A.56.050, property)" in sections["Eligible offences"]
    assert "More than 2.5 g of heroin (tar) is excluded." in sections["Drug quantities"]
    assert "More than 3 g of cocaine (any form) is excluded." in sections["Drug quantities"]
    assert sections["Who is excluded"][0] == "People under 18 are excluded."
    assert "Burglary in the last 10 years disqualifies." in sections["Who is excluded"]
    assert "Exploiting minors at any time disqualifies." in sections["Who is excluded"]
    assert sections["Where"] == ["Only in: Belltown, Pioneer Square."]
    assert (
        "Community referrals: by anyone, through the public referral form."
        in sections["Who refers and who approves"]
    )
    assert (
        "Approved by: police sergeant, project manager." in sections["Who refers and who approves"]
    )
    assert "No case manager holds more than 25 participants." in sections["Deadlines and caseloads"]
    assert DEPARTURE not in sections["Deadlines and caseloads"]


def test_a_departure_from_the_model_is_flagged_in_plain_words():
    sections = {
        s.title: s.lines
        for s in describe(sample_rules(ends_participation_for_nonparticipation=True))
    }

    assert DEPARTURE in sections["Deadlines and caseloads"]
    assert "departure from the LEAD model" in DEPARTURE
