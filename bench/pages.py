"""Server time of the hot pages, on SQLite and on PostgreSQL in the same run (DESIGN.md §7).

    .venv/bin/python bench/pages.py [--people N] [--contacts M] [--requests R]
                                    [--engines sqlite,postgres]

Prints one JSON document on stdout; progress goes to stderr. Each engine runs in its own
subprocess (settings read DATABASE_URL once, at django.setup()), on a fresh database that is
removed afterwards: a temporary SQLite file, or a PostgreSQL database tandem_bench_<pid>.
The demo site is seeded with tandem.tenancy.demo.seed_demo (which writes two years of
contacts), topped up to M contacts by the seed_contacts command, then each page is requested
in-process with django.test.Client by a signed-in case manager or project manager. Beside
each page's server time is the time its SQL alone took (the sum over the request's queries,
timed by a connection execute_wrapper), so what the database costs and what Python costs
can be told apart.

Exit status: 0 when every engine ran (an unreachable PostgreSQL is reported in the JSON as
that engine's "error", not as a failure), 1 when a page answered anything but 200 or an
engine failed otherwise, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import (
    ENGINES,
    ROOT,
    SEED,
    TODAY,
    ChildFailedError,
    DatabaseUnavailableError,
    log,
    raise_keyboard_interrupt,
    run_engine_child,
    temporary_database,
)

DEFAULT_PEOPLE = 2000
DEFAULT_CONTACTS = 0  # only the demo's own two years of contacts
DEFAULT_REQUESTS = 200
WARMUP = 5
SURNAME = "Johnson"  # one of the demo's 25 family names (~4% of people each)
BUDGET_MEDIAN_MS = 50
BUDGET_QUERIES = 12
NOTES = [
    "DESIGN.md §7 states the server-time budget for 5,000 people and 500,000 contacts: "
    "run with --people 5000 --contacts 500000 for it. The demo writes two years of "
    "contacts for its enrollments; seed_contacts adds the rest, spread over the first N "
    "enrollments of the site.",
    "sql_p50_ms is the median, over the timed requests, of the time each request spent in "
    "its SQL (cursor execute, fetch included).",
    "The referral-queue page of DESIGN.md §7 does not exist yet and is not measured.",
    "The budget is a median of at most 50 ms on PostgreSQL and at most 12 queries per page; "
    "within_budget applies both to every engine.",
    "Children run with TANDEM_TESTING=1 (MD5 password hasher, no secret key needed) and "
    "TANDEM_DEMO_RELAX_MFA=1 (the demo users have no authenticator); PostgreSQL tables are "
    "ANALYZEd after seeding, as autovacuum would do on a live site.",
]
TIMED = "Times are server time in-process (django.test.Client: no network, no WSGI server). "
RECONNECTED = TIMED + (
    "Each request is wrapped in django.db.close_old_connections(), as a WSGI server's "
    "request_started/request_finished signals do: SQLite (CONN_MAX_AGE=0) opens a connection "
    "per request, PostgreSQL keeps its connection and runs its health check."
)
REUSED = TIMED + "--reuse-connections: client.get alone, one database connection throughout."


# --------------------------------------------------------------------------- parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="people at the site")
    parser.add_argument(
        "--contacts",
        type=int,
        default=DEFAULT_CONTACTS,
        help="contacts at the site in all (0: the demo's own)",
    )
    parser.add_argument(
        "--requests", type=int, default=DEFAULT_REQUESTS, help="timed requests per page"
    )
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated: sqlite,postgres"
    )
    parser.add_argument(
        "--reuse-connections",
        action="store_true",
        help="time client.get alone, keeping the database connection between requests",
    )
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.people < 1 or args.requests < 1 or args.contacts < 0:
        parser.error("--people and --requests must be positive, --contacts not negative")
    if args.engine:
        return child(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")

    # SIGTERM unwinds like Ctrl-C, so that the temporary databases are still removed.
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        return _run(args, engines)
    except KeyboardInterrupt:
        log("interrupted; temporary databases removed")
        return 130


def _run(args: argparse.Namespace, engines: list[str]) -> int:
    started = time.perf_counter()
    results: dict[str, Any] = {}
    failed = False
    for engine in engines:
        log(f"== {engine}")
        try:
            with temporary_database(engine, prefix="tandem-bench") as database:
                results[engine] = _run_child(engine, database.url, args)
        except DatabaseUnavailableError as exc:
            results[engine] = {"error": str(exc)}
            log(f"{engine}: {exc}")
        except ChildFailedError as exc:
            results[engine] = {"error": str(exc)}
            failed = True
            log(f"{engine} FAILED: {exc}")

    document = _report(args, results, time.perf_counter() - started)
    print(json.dumps(document, indent=2))
    return 1 if failed else 0


def _run_child(engine: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    arguments = [
        "--people",
        str(args.people),
        "--contacts",
        str(args.contacts),
        "--requests",
        str(args.requests),
    ]
    if args.reuse_connections:
        arguments.append("--reuse-connections")
    return run_engine_child(
        str(Path(__file__).resolve()), engine=engine, url=url, arguments=arguments, expect="pages"
    )


def _report(args: argparse.Namespace, engines: dict[str, Any], seconds: float) -> dict[str, Any]:
    import django

    within: dict[str, bool] = {}
    for engine, result in engines.items():
        for page, figures in result.get("pages", {}).items():
            within[f"{engine}/{page}"] = (
                figures["p50_ms"] <= BUDGET_MEDIAN_MS and figures["queries"] <= BUDGET_QUERIES
            )
    ratios: dict[str, float] = {}
    sqlite_pages = engines.get("sqlite", {}).get("pages", {})
    postgres_pages = engines.get("postgres", {}).get("pages", {})
    for page in sqlite_pages.keys() & postgres_pages.keys():
        ratios[page] = round(postgres_pages[page]["p50_ms"] / sqlite_pages[page]["p50_ms"], 2)
    return {
        "benchmark": "pages",
        "people": args.people,
        "contacts": args.contacts,
        "requests": args.requests,
        "warmup": WARMUP,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "platform": platform.platform(),
        },
        "engines": engines,
        "budget": {"median_ms": BUDGET_MEDIAN_MS, "queries": BUDGET_QUERIES},
        "within_budget": dict(sorted(within.items())),
        "ratio_postgres_over_sqlite": {page: ratios[page] for page in sorted(ratios)},
        "total_seconds": round(seconds, 1),
        "notes": [*NOTES, REUSED if args.reuse_connections else RECONNECTED],
    }


# --------------------------------------------------------------------------- child


def child(args: argparse.Namespace) -> int:
    """One engine, in its own process: DATABASE_URL is set before Django reads settings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Anything the application prints must not spoil the JSON on stdout.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        result = _measure(args)
    except SystemExit as exc:  # a page that failed its check: say which, in the JSON too
        if exc.code is None or isinstance(exc.code, int):
            raise
        log(str(exc.code))
        result, status = {"error": str(exc.code)}, 1
    else:
        status = 0
    finally:
        sys.stdout = stdout
    print(json.dumps(result))
    return status


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    engine: str = args.engine
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    migrate_seconds = time.perf_counter() - started
    log(f"{engine}: migrated in {migrate_seconds:.1f} s")

    from tandem.tenancy.demo import seed_demo

    log(f"{engine}: seeding {args.people} people…")
    started = time.perf_counter()
    seed_demo(seed=SEED, people=args.people, today=TODAY)
    seed_seconds = time.perf_counter() - started
    log(f"{engine}: seeded in {seed_seconds:.1f} s")
    contacts_seconds = _top_up_contacts(engine, args.people, args.contacts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    pages, data = _pages()
    for name, (_client, url, _marker) in pages.items():
        log(f"{engine}: {name} = {url}")
    measured = {
        name: _measure_page(engine, name, *page, args.requests, args.reuse_connections)
        for name, page in pages.items()
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if engine == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "database_version": version,
        "migrate_seconds": round(migrate_seconds, 2),
        "seed_seconds": round(seed_seconds, 2),
        "seed_contacts_seconds": round(contacts_seconds, 2),
        "data": data,
        "pages": measured,
    }


def _top_up_contacts(engine: str, people: int, contacts: int) -> float:
    """Add contacts with the seed_contacts command until the demo site holds `contacts`."""
    from django.core.management import call_command

    from tandem.casework.models import Contact
    from tandem.tenancy.demo import DEMO_SITE_SLUG

    have = Contact.objects.filter(site__slug=DEMO_SITE_SLUG).count()
    if contacts <= have:
        return 0.0
    log(f"{engine}: adding {contacts - have} contacts to the demo's {have}…")
    started = time.perf_counter()
    call_command(
        "seed_contacts",
        site=DEMO_SITE_SLUG,
        people=people,
        contacts=contacts - have,
        seed=SEED,
        stdout=sys.stderr,
    )
    seconds = time.perf_counter() - started
    log(f"{engine}: contacts added in {seconds:.1f} s")
    return seconds


Page = tuple[Any, str, str]  # a signed-in client, the URL, a text the page must contain


def _pages() -> tuple[dict[str, Page], dict[str, int]]:
    from django.db.models import Count
    from django.test import Client
    from django.utils.html import escape

    from tandem.accounts.models import User
    from tandem.audit.models import AuditEvent
    from tandem.casework.models import Contact, Enrollment
    from tandem.people.models import Person
    from tandem.tenancy.demo import DEMO_SITE_SLUG
    from tandem.tenancy.middleware import SESSION_SITE_KEY
    from tandem.tenancy.models import Site

    site = Site.objects.get(slug=DEMO_SITE_SLUG)
    case_manager = User.objects.get(username="casemanager")
    project_manager = User.objects.get(username="projectmanager")
    caseload = (
        Enrollment.objects.filter(site=site, case_manager=case_manager)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("person")
    )
    # The fullest record of the caseload: the detail page shows every name and identifier.
    enrollment = (
        caseload.annotate(
            n_names=Count("person__names", distinct=True),
            n_ids=Count("person__identifiers", distinct=True),
        )
        .order_by("-n_names", "-n_ids", "pk")
        .first()
    )
    if enrollment is None:
        raise SystemExit("casemanager has an empty caseload; raise --people")
    person = enrollment.person
    # The caseload's participant with the most contacts: the fullest casework page and
    # timeline.
    busiest = caseload.annotate(n_contacts=Count("contacts")).order_by("-n_contacts", "pk").first()
    assert busiest is not None

    cm = _client(Client, case_manager)
    pm = _client(Client, project_manager)
    # The project manager works at two sites and must have chosen one, as after sign-in.
    session = pm.session
    session[SESSION_SITE_KEY] = str(site.public_id)
    session.save()

    people = Person.objects.filter(site=site)
    data = {
        "people_at_site": people.count(),
        "people_in_database": Person.objects.count(),
        "enrollments_at_site": Enrollment.objects.filter(site=site).count(),
        "caseload_rows": caseload.count(),
        "contacts_at_site": Contact.objects.filter(site=site).count(),
        "contacts_of_busiest_participant": Contact.objects.filter(person=busiest.person).count(),
        "search_matches": people.filter(family_name__icontains=SURNAME).count(),
        "audit_events_before": AuditEvent.objects.count(),
    }
    pages: dict[str, Page] = {
        "casemanager_home": (cm, "/", 'id="caseload"'),
        "people_list": (cm, "/people/", 'id="results"'),
        "people_search": (cm, f"/people/?q={SURNAME}", SURNAME),
        "person_detail": (cm, f"/people/{person.public_id}/", escape(person.display_name)),
        "casework_person": (
            cm,
            f"/casework/people/{busiest.person.public_id}/",
            'id="contacts"',
        ),
        "timeline": (cm, f"/people/{busiest.person.public_id}/timeline/", 'id="timeline"'),
        "contact_form": (cm, f"/casework/contacts/new/{busiest.public_id}/", 'id="contact-form"'),
        "outreach": (cm, "/casework/outreach/", "Outreach list"),
        "projectmanager_home": (pm, "/", "at a glance"),
    }
    return pages, data


def _client(client_class: Any, user: Any) -> Any:
    # The settings allow 127.0.0.1 and localhost, not the test client's "testserver".
    client = client_class(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _measure_page(
    engine: str,
    name: str,
    client: Any,
    url: str,
    marker: str,
    requests: int,
    reuse_connections: bool,
) -> dict[str, Any]:
    from django.db import close_old_connections, connection
    from django.test.utils import CaptureQueriesContext

    around: Callable[[], None] = (lambda: None) if reuse_connections else close_old_connections
    sql_seconds = [0.0]

    def timed(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds[0] += time.perf_counter() - start

    def get() -> Any:
        around()
        # On the connection object, so it also times a connection the request reopens.
        with connection.execute_wrapper(timed):
            response = client.get(url)
        around()
        return response

    for _ in range(WARMUP):
        _check(name, url, get(), marker)
    with CaptureQueriesContext(connection) as captured:
        response = get()
    _check(name, url, response, marker)
    queries = len(captured.captured_queries)

    times = []
    sql_times = []
    for _ in range(requests):
        sql_seconds[0] = 0.0
        start = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - start) * 1000)
        sql_times.append(sql_seconds[0] * 1000)
        _check(name, url, response, marker)
    times.sort()
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
    figures = {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(times[-1], 2),
        "min_ms": round(times[0], 2),
        "sql_p50_ms": round(statistics.median(sql_times), 2),
        "queries": queries,
        "bytes": len(response.content),
    }
    log(
        f"{engine}: {name:<20} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms"
        f"  max {figures['max_ms']:7.2f} ms  sql p50 {figures['sql_p50_ms']:6.2f} ms"
        f"  {queries} queries"
    )
    return figures


def _check(name: str, url: str, response: Any, marker: str) -> None:
    if response.status_code != 200:
        where = response.get("Location", "")
        raise SystemExit(
            f"{name}: GET {url} answered {response.status_code}"
            + (f" → {where}" if where else "")
            + "; the benchmark measures only pages that answer 200"
        )
    if marker not in response.content.decode():
        raise SystemExit(f"{name}: GET {url} answered 200 without {marker!r}: not the page meant")


if __name__ == "__main__":
    sys.exit(main())
