"""A small made-up population with known duplicates, for tests that need enough records for
the matcher to estimate its model (a few hundred people; no real person)."""

from __future__ import annotations

import random
from dataclasses import replace

from tandem.matching.core import MatchRecord, PartialDate

GIVEN = [
    "william",
    "margaret",
    "robert",
    "elizabeth",
    "francisco",
    "maria",
    "jose",
    "ana",
    "luis",
    "carmen",
    "james",
    "patricia",
    "michael",
    "linda",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "daniel",
    "nancy",
    "matthew",
    "lisa",
    "anthony",
    "betty",
    "mark",
    "sandra",
    "donald",
    "ashley",
    "steven",
    "kimberly",
    "andrew",
    "emily",
    "kevin",
    "donna",
    "brian",
    "michelle",
]
NICKNAMES = {
    "william": "bill",
    "margaret": "peggy",
    "robert": "bob",
    "elizabeth": "liz",
    "francisco": "paco",
    "jose": "pepe",
    "james": "jim",
    "patricia": "patty",
    "michael": "mike",
    "richard": "rick",
    "joseph": "joe",
    "thomas": "tom",
    "charles": "charlie",
    "daniel": "dan",
    "anthony": "tony",
}
SURNAMES = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "okafor",
    "kowalski",
]
STREETS = [
    "pine",
    "alder",
    "rainier",
    "beacon",
    "jackson",
    "yesler",
    "cherry",
    "marion",
    "spring",
    "union",
]


def population(
    *, people: int, duplicates: int, seed: int
) -> tuple[list[MatchRecord], list[MatchRecord]]:
    """`people` distinct people and a second file holding `duplicates` of them (noisy: a
    nickname, a typo, day and month swapped, a missing date of birth) plus as many
    newcomers. Duplicate ids are "d<n>" for person "p<n>"; newcomers are "n<n>"."""
    rng = random.Random(seed)
    existing = []
    for n in range(people):
        existing.append(
            MatchRecord(
                id=f"p{n}",
                given_name=rng.choice(GIVEN),
                surname=rng.choice(SURNAMES),
                dob=PartialDate(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                sex=rng.choice("fm"),
                street=f"{rng.randint(1, 999)} {rng.choice(STREETS)} st",
                city="seattle",
                postcode=str(rng.choice(range(98101, 98199))),
                state="wa",
            )
        )
    incoming = []
    for n in rng.sample(range(people), duplicates):
        record = existing[n]
        noise = rng.random()
        if noise < 0.25 and record.given_name in NICKNAMES:
            record = replace(record, given_name=NICKNAMES[record.given_name])
        elif noise < 0.5:
            name = record.surname
            at = rng.randrange(1, len(name))
            record = replace(record, surname=name[:at] + name[at + 1 :])
        elif noise < 0.65 and record.dob is not None and record.dob.day and record.dob.day <= 12:
            record = replace(
                record, dob=PartialDate(record.dob.year, record.dob.day, record.dob.month)
            )
        elif noise < 0.85:
            record = replace(record, dob=None)
        incoming.append(replace(record, id=f"d{n}"))
    for n in range(duplicates):
        incoming.append(
            MatchRecord(
                id=f"n{n}",
                given_name=rng.choice(GIVEN),
                surname=rng.choice(SURNAMES),
                dob=PartialDate(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                sex=rng.choice("fm"),
                street=f"{rng.randint(1, 999)} {rng.choice(STREETS)} st",
                city="seattle",
                postcode=str(rng.choice(range(98101, 98199))),
                state="wa",
            )
        )
    rng.shuffle(incoming)
    return existing, incoming
