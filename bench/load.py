"""Loopback load on the real server, on SQLite and on PostgreSQL in the same run (DESIGN.md §7:
"2 web workers on 2 cores: 50 requests/s for 60 s, p95 <= 100 ms, 0 errors").

    .venv/bin/python bench/load.py [--people N] [--rate R] [--duration S]
                                   [--engines sqlite,postgres] [--no-probe]

Prints one JSON document on stdout; progress goes to stderr. For each engine: a fresh database
(a temporary SQLite file, or a PostgreSQL database tandem_load_<pid>) is migrated and seeded
with tandem.tenancy.demo.seed_demo in a child process, then gunicorn serves it with 2 workers
on 127.0.0.1. A few demo users sign in through the real login form, and requests start on an
open-loop schedule (R per second for S seconds) across the hot pages. Afterwards a child runs
`tandem audit_verify`; the server is stopped and the database removed, even after an error or
Ctrl-C.

Exit status: 0 when every engine ran (an unreachable PostgreSQL is reported in the JSON as that
engine's "error"; missing the budget is a result, not a failure), 1 when an engine could not be
set up, a page did not answer 200 before the load, or the audit chain is broken afterwards,
2 on bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import math
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from harness import (
    ENGINES,
    ROOT,
    SEED,
    TODAY,
    Database,
    DatabaseUnavailableError,
    log,
    raise_keyboard_interrupt,
    temporary_database,
)

DEFAULT_PEOPLE = 2000
DEFAULT_RATE = 50
DEFAULT_DURATION = 60
MAX_RATE = 200  # requests per second; the load stays bounded
MAX_DURATION = 300  # seconds
WORKERS = 2
BUDGET = {"rate_per_s": 50, "duration_s": 60, "p95_ms": 100, "errors": 0}
# The users who sign in, and the pages of the mix (equal shares, drawn with a fixed seed).
USERS = ("casemanager", "outreach", "supervisor", "projectmanager")
CASELOAD_USERS = ("casemanager", "outreach")  # their home page lists their own caseload
PAGES = ("home", "people_list", "people_search", "person_detail")
REQUEST_TIMEOUT = 10.0  # seconds; a request that takes longer counts as an error ("timeout")
DRAIN_S = 30.0  # after the schedule, requests not yet sent by then are "not sent" errors
UNLOADED_REQUESTS = 100  # sequential requests before the load, one at a time
PROBE_INTERVAL = 0.04  # seconds between two samples of the audit head's lock
SQLITE_WAL_WRITE_LOCK = 120  # the byte of the -shm file a WAL writer locks
READY_TIMEOUT = 60.0
PERSON_LINK = re.compile(
    r'href="(/people/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)"'
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTES = [
    "Open loop: request i is due at start + i/rate whatever happened to earlier ones, and its "
    "latency runs from that due time to the end of the response. Waiting for a client thread, "
    "in gunicorn's listen backlog or for a busy worker therefore counts, as it would for a "
    "user; client_start_delay shows how late requests left the client.",
    "Percentiles cover every request that got an answer, errors included. An error is any "
    "answer but 200, a connection error, a timeout (10 s) or a request not sent within 30 s "
    "after the schedule ended; by_status counts each. over_budget_p95 counts the requests "
    "slower than 100 ms and the seconds of the schedule they were due in (a stall shows as "
    "a few adjacent seconds).",
    "The server is gunicorn with 2 sync workers (a new connection per request, as sync "
    "workers close it). The load generator, the server and PostgreSQL share the same 2 CPUs; "
    "cpu shows how busy they were.",
    "Children and server run with TANDEM_DEMO=1 and TANDEM_DEMO_RELAX_MFA=1 (plain HTTP on "
    "loopback, no second factor) and the production password hasher; users sign in through "
    "the login form. The projectmanager works at two sites and chooses the demo site first.",
    "The mix: requests drawn with a fixed seed, equal shares of users (casemanager, outreach, "
    "supervisor, projectmanager) and of pages: / (the caseload, or the figures for the "
    "projectmanager), /people/, /people/?q=<a demo family name>, /people/<id>/ (people from "
    "the caseload pages of casemanager and outreach; each of those two opens their own).",
    "unloaded: the same mix, one request at a time, before the load: server time plus "
    "loopback, with no queueing.",
    "audit_events_written is the growth of the audit chain head's sequence number during the "
    "load. Every append locks the single head row (docs/adr/0002): on PostgreSQL a row lock "
    "(SELECT ... FOR UPDATE) until the transaction commits; on SQLite the database write lock "
    "(BEGIN IMMEDIATE), which every other write (sessions, cache) takes too.",
    "lock_probe samples that lock every 40 ms during the load, from outside the server and "
    "without taking it: on SQLite, fcntl(F_GETLK) on the WAL write-lock byte of the -shm file; "
    "on PostgreSQL, pgrowlocks('audit_auditchainhead') (the contrib extension is created in "
    "the benchmark's database). busy_share is the share of samples that found the lock held: "
    "the utilisation of the serialising lock, about the chance that a writer has to wait. On "
    "PostgreSQL lock_waiters_share is the share of samples at which a backend of the database "
    "waited on a lock (pg_stat_activity).",
    "within_budget: the run's schedule is at least the budget's (50/s for 60 s, 2 workers), "
    "every scheduled request was answered 200, p95 <= 100 ms, and the achieved rate is at "
    "least 95% of the budget's.",
]


# --------------------------------------------------------------------------- parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="people at the site")
    parser.add_argument(
        "--rate", type=float, default=DEFAULT_RATE, help=f"requests per second (<= {MAX_RATE})"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=DEFAULT_DURATION,
        help=f"seconds of load (<= {MAX_DURATION})",
    )
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated: sqlite,postgres"
    )
    parser.add_argument(
        "--no-probe", action="store_true", help="do not sample the audit head's lock"
    )
    parser.add_argument("--phase", choices=("setup", "verify"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be positive")
    if not 0 < args.rate <= MAX_RATE or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--rate must be in (0, {MAX_RATE}] and --duration in (0, {MAX_DURATION}]")
    if args.rate * args.duration < 2:
        parser.error("--rate times --duration must give at least 2 requests")
    if args.phase:
        return child(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")

    # SIGTERM unwinds like Ctrl-C, so that the server is stopped and the databases removed.
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        return _run(args, engines)
    except KeyboardInterrupt:
        log("interrupted; server stopped, temporary databases removed")
        return 130


def _run(args: argparse.Namespace, engines: list[str]) -> int:
    started = time.perf_counter()
    results: dict[str, Any] = {}
    failed = False
    for engine in engines:
        log(f"== {engine}")
        try:
            with temporary_database(engine, prefix="tandem-load") as database:
                results[engine] = _run_engine(database, args)
        except DatabaseUnavailableError as exc:
            results[engine] = {"error": str(exc)}
            log(f"{engine}: {exc}")
        except BenchError as exc:
            results[engine] = {"error": str(exc)}
            failed = True
            log(f"{engine} FAILED: {exc}")
        else:
            failed = failed or not results[engine]["audit_chain_intact"]

    document = _report(args, results, time.perf_counter() - started)
    print(json.dumps(document, indent=2))
    return 1 if failed else 0


class BenchError(Exception):
    """The engine could not be measured: setup, sign-in or a page before the load failed."""


def _environment(database: Database, secret_key: str) -> dict[str, str]:
    """The environment of the children and of the server: the same secret key throughout,
    since the audit chain's HMAC key is derived from it."""
    env = dict(os.environ)
    # Settings that would change what is measured, or break plain HTTP on loopback.
    for name in ("TANDEM_TESTING", "TANDEM_DB_CONN_MAX_AGE", "TANDEM_BEHIND_PROXY"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="config.settings",
        TANDEM_DEMO="1",
        TANDEM_DEMO_RELAX_MFA="1",
        TANDEM_SECRET_KEY=secret_key,
        TANDEM_DEBUG="0",  # DEBUG would keep every query in memory and slow each one
        TANDEM_INSECURE_HTTP="1",
        TANDEM_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


def _run_child(phase: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--people",
        str(args.people),
    ]
    # stderr (progress) goes straight through; stdout carries the child's JSON.
    done = subprocess.run(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    try:
        result: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        result = {}
    if done.returncode != 0 or not result:
        raise BenchError(f"the {phase} child exited with status {done.returncode}; see stderr")
    return result


def _run_engine(database: Database, args: argparse.Namespace) -> dict[str, Any]:
    engine = database.engine
    env = _environment(database, secrets.token_urlsafe(50))
    setup = _run_child("setup", env, args)
    log(
        f"{engine}: migrated in {setup['migrate_seconds']:.1f} s, "
        f"seeded in {setup['seed_seconds']:.1f} s"
    )
    with _server(env) as server:
        client = Client(server.port)
        sessions = {
            user: _sign_in(client, user, setup["password"], setup["site_public_id"])
            for user in USERS
        }
        log(f"{engine}: signed in {', '.join(USERS)}")
        choices = _choices(client, sessions, setup["family_names"])
        _warm_up(engine, client, sessions, choices)
        unloaded = _unloaded(client, sessions, choices)
        log(f"{engine}: unloaded p50 {unloaded['p50_ms']:.1f} ms, p95 {unloaded['p95_ms']:.1f} ms")
        plan = _plan(choices, round(args.rate * args.duration), SEED)
        seq_before = _head_seq(database)
        log(f"{engine}: {len(plan)} requests at {args.rate:g}/s for {args.duration:g} s…")
        probe = None if args.no_probe else LockProbe(database)
        cpu = CpuMeter(server.pid)
        if probe:
            probe.start()
        try:
            outcomes, window = _drive(client, sessions, plan, args.rate)
        finally:
            if probe:
                probe.stop()
        cpu_figures = cpu.stop(window)
        seq_after = _head_seq(database)
    verify = _run_child("verify", env, args)
    log(f"{engine}: {verify['message']}")
    result = _summarise(outcomes, window, args.rate)
    log(
        f"{engine}: {result['requests']} requests, {result['errors']} errors, "
        + ", ".join(f"{q} {result[q + '_ms']} ms" for q in ("p50", "p95", "p99", "max"))
    )
    written = seq_after - seq_before
    result.update(
        audit_events_written=written,
        audit_events_per_request=round(written / len(plan), 3),
        audit_chain_intact=verify["intact"],
        audit_verify=verify["message"],
        lock_probe=probe.figures() if probe else None,
        cpu=cpu_figures,
        unloaded=unloaded,
        database_version=setup["database_version"],
        migrate_seconds=setup["migrate_seconds"],
        seed_seconds=setup["seed_seconds"],
        data={
            **setup["data"],
            "person_pages": len({p for paths in choices.values() for p in paths["person_detail"]}),
        },
    )
    return result


# --------------------------------------------------------------------------- HTTP


class Client:
    """http.client against the server on loopback, one connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"

    def request(
        self,
        method: str,
        path: str,
        cookie: str = "",
        *,
        form: dict[str, str] | None = None,
        referer: str = "",
    ) -> tuple[int, Message, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "tandem-bench-load"}
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if referer:
            headers["Referer"] = self.origin + referer
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            return response.status, response.headers, content.decode("utf-8", "replace")
        finally:
            connection.close()


class Jar(dict[str, str]):
    """The cookies of one signed-in browser."""

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in sorted(self.items()))

    def update_from(self, headers: Message) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel.value in ("", '""') or morsel["max-age"] == "0":
                    self.pop(name, None)
                else:
                    self[name] = morsel.value


def _browse(
    client: Client, jar: Jar, method: str, path: str, form: dict[str, str] | None = None
) -> tuple[int, Message, str]:
    status, headers, body = client.request(
        method, path, jar.header(), form=form, referer=path if form is not None else ""
    )
    jar.update_from(headers)
    return status, headers, body


def _csrf_token(body: str, where: str) -> str:
    found = CSRF_FIELD.search(body)
    if found is None:
        raise BenchError(f"{where} has no csrfmiddlewaretoken field")
    return found.group(1)


def _sign_in(client: Client, username: str, password: str, site_public_id: str) -> str:
    """Sign in through the login form, once: django-axes locks the account after 5 failures.
    Returns the Cookie header of the signed-in session."""
    jar = Jar()
    status, _, body = _browse(client, jar, "GET", "/accounts/login/")
    if status != 200:
        raise BenchError(f"GET /accounts/login/ answered {status}")
    form = {
        "csrfmiddlewaretoken": _csrf_token(body, "the login page"),
        "login": username,
        "password": password,
    }
    status, headers, body = _browse(client, jar, "POST", "/accounts/login/", form)
    if status != 302 or "sessionid" not in jar:
        alert = re.search(r'role="alert">([^<]*)<', body)
        reason = alert.group(1).strip() if alert else "no session cookie"
        raise BenchError(f"signing in {username} answered {status}: {reason}")
    status, headers, body = _browse(client, jar, "GET", "/")
    if status == 302 and headers.get("Location", "").startswith("/sites/"):
        # A member of several sites chooses one, as after any sign-in.
        status, _, body = _browse(client, jar, "GET", "/sites/")
        form = {"csrfmiddlewaretoken": _csrf_token(body, "/sites/"), "site": site_public_id}
        status, headers, _ = _browse(client, jar, "POST", "/sites/", form)
        if status != 302:
            raise BenchError(f"{username} choosing the demo site answered {status}")
        status, headers, body = _browse(client, jar, "GET", "/")
    if status != 200:
        raise BenchError(f"{username}: GET / after sign-in answered {status}")
    return jar.header()


Choices = dict[str, dict[str, list[str]]]  # user → page → the paths that user requests


def _choices(client: Client, sessions: dict[str, str], family_names: list[str]) -> Choices:
    """The paths of each page for each user. People come from the caseload pages."""
    caseloads: dict[str, list[str]] = {}
    for user in CASELOAD_USERS:
        status, _, body = client.request("GET", "/", sessions[user])
        if status != 200:
            raise BenchError(f"{user}: GET / answered {status}")
        caseloads[user] = sorted(set(PERSON_LINK.findall(body)))
    everyone = sorted({path for paths in caseloads.values() for path in paths})
    if not everyone:
        raise BenchError("the caseload pages list nobody; raise --people")
    searches = [f"/people/?q={name}" for name in family_names]
    return {
        user: {
            "home": ["/"],
            "people_list": ["/people/"],
            "people_search": searches,
            "person_detail": caseloads.get(user) or everyone,
        }
        for user in USERS
    }


@dataclass(frozen=True, slots=True)
class Planned:
    page: str
    user: str
    path: str


def _plan(choices: Choices, count: int, seed: int) -> list[Planned]:
    rng = random.Random(seed)  # a reproducible mix, not a secret
    plan = []
    for _ in range(count):
        user = rng.choice(USERS)
        page = rng.choice(PAGES)
        plan.append(Planned(page, user, rng.choice(choices[user][page])))
    return plan


def _warm_up(engine: str, client: Client, sessions: dict[str, str], choices: Choices) -> None:
    """Every path of the mix once, one at a time: each must answer 200 before the load."""
    count = 0
    for user, pages in choices.items():
        for page, paths in pages.items():
            for path in paths:
                status, headers, _ = client.request("GET", path, sessions[user])
                if status != 200:
                    where = headers.get("Location", "")
                    raise BenchError(
                        f"{user}: GET {path} ({page}) answered {status}"
                        + (f" → {where}" if where else "")
                        + " before any load; the benchmark drives only pages that answer 200"
                    )
                count += 1
    log(f"{engine}: warm-up: {count} distinct requests answered 200")


def _unloaded(client: Client, sessions: dict[str, str], choices: Choices) -> dict[str, Any]:
    times = []
    for item in _plan(choices, UNLOADED_REQUESTS, SEED + 1):
        start = time.perf_counter()
        status, _, _ = client.request("GET", item.path, sessions[item.user])
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise BenchError(f"{item.user}: GET {item.path} answered {status} before any load")
    return {"requests": len(times), **_percentiles(times)}


# --------------------------------------------------------------------------- the load


@dataclass(slots=True)
class Outcome:
    page: str
    due: float
    sent: float = math.nan
    done: float = math.nan
    status: str = "not sent"


def _drive(
    client: Client, sessions: dict[str, str], plan: list[Planned], rate: float
) -> tuple[list[Outcome], float]:
    """Start request i at start + i/rate from a thread pool, whatever earlier requests are
    doing. Returns the outcomes and the time from the first due time to the last answer."""
    threads = min(256, max(32, math.ceil(2 * rate)))
    start = time.perf_counter() + 0.2
    outcomes = [Outcome(item.page, start + i / rate) for i, item in enumerate(plan)]
    deadline = outcomes[-1].due + DRAIN_S
    cancelled = threading.Event()

    def fire(outcome: Outcome, item: Planned) -> None:
        outcome.sent = time.perf_counter()
        if cancelled.is_set() or outcome.sent > deadline:
            outcome.sent = math.nan
            return
        try:
            status, _, _ = client.request("GET", item.path, sessions[item.user])
            outcome.status = str(status)
        except TimeoutError:
            outcome.status = "timeout"
        except (OSError, http.client.HTTPException) as exc:
            outcome.status = type(exc).__name__
        outcome.done = time.perf_counter()

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load")
    try:
        for outcome, item in zip(outcomes, plan, strict=True):
            delay = outcome.due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, outcome, item)
    except BaseException:
        cancelled.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    answered = [o.done for o in outcomes if not math.isnan(o.done)]
    return outcomes, (max(answered) if answered else time.perf_counter()) - start


def _percentiles(times: list[float]) -> dict[str, float | None]:
    if not times:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else []
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(cuts[94] if cuts else times[0], 2),
        "p99_ms": round(cuts[98] if cuts else times[0], 2),
        "max_ms": round(max(times), 2),
    }


def _summarise(outcomes: list[Outcome], window: float, rate: float) -> dict[str, Any]:
    start = outcomes[0].due
    answered = [o for o in outcomes if not math.isnan(o.done)]
    latencies = [(o.done - o.due) * 1000 for o in answered]
    by_status = Counter(o.status for o in outcomes)
    errors = len(outcomes) - by_status["200"]
    by_page = {}
    for page in PAGES:
        mine = [o for o in answered if o.page == page]
        figures = _percentiles([(o.done - o.due) * 1000 for o in mine])
        by_page[page] = {
            "requests": sum(1 for o in outcomes if o.page == page),
            "errors": sum(1 for o in outcomes if o.page == page and o.status != "200"),
            "p50_ms": figures["p50_ms"],
            "p95_ms": figures["p95_ms"],
        }
    delays = [(o.sent - o.due) * 1000 for o in outcomes if not math.isnan(o.sent)]
    return {
        "requests": len(outcomes),
        "answered": len(answered),
        "errors": errors,
        "by_status": dict(sorted(by_status.items())),
        "achieved_rate_per_s": round(len(answered) / window, 2) if window > 0 else 0.0,
        **_percentiles(latencies),
        "by_page": by_page,
        "over_budget_p95": _over(answered, start, BUDGET["p95_ms"]),
        "max_in_flight": _max_in_flight(answered),
        "client_threads": min(256, max(32, math.ceil(2 * rate))),
        "client_start_delay_p99_ms": _percentiles(delays)["p99_ms"],
        "client_start_delay_max_ms": _percentiles(delays)["max_ms"],
    }


def _over(answered: list[Outcome], start: float, limit_ms: float) -> dict[str, Any]:
    """Requests slower than the budget's p95, and the seconds of the schedule they were due
    in: a stall shows as a few adjacent seconds, steady queueing as many scattered ones."""
    slow = [o for o in answered if (o.done - o.due) * 1000 > limit_ms]
    seconds = sorted({int(o.due - start) for o in slow})
    return {"requests": len(slow), "seconds": len(seconds), "first_seconds": seconds[:20]}


def _max_in_flight(answered: list[Outcome]) -> int:
    """The most requests due and not yet answered at any moment."""
    events = sorted([(o.due, 1) for o in answered] + [(o.done, -1) for o in answered])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


# --------------------------------------------------------------------------- observation


def _head_seq(database: Database) -> int:
    """The audit chain head's last sequence number, read straight from the database."""
    query = "SELECT last_seq FROM audit_auditchainhead WHERE id = 1"
    if database.engine == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(database.sqlite_path, timeout=20)) as db:
            row = db.execute(query).fetchone()
    else:
        import psycopg

        with psycopg.connect(database.url, autocommit=True, connect_timeout=5) as db:
            row = db.execute(query).fetchone()
    return int(row[0]) if row else 0


@dataclass
class LockProbe:
    """Samples, from outside the server and without taking it, whether the lock that
    serialises audit appends is held: on SQLite the database write lock, on PostgreSQL the
    head row's lock."""

    database: Database
    samples: int = 0
    busy: int = 0
    failures: int = 0
    waiting_samples: int = 0
    max_waiters: int = 0
    unavailable: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        target = self._sqlite if self.database.engine == "sqlite" else self._postgres
        self._thread = threading.Thread(target=target, name="lock-probe", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _sqlite(self) -> None:
        """In WAL mode a writer holds a POSIX lock on byte 120 of the -shm file
        (WAL_WRITE_LOCK, https://www.sqlite.org/walformat.html) from BEGIN IMMEDIATE to
        COMMIT. F_GETLK asks whether another process holds it, without taking it. The file is
        opened afresh each time: with CONN_MAX_AGE=0 the last connection to close deletes it,
        and holding it (or a connection) open would change what the server does."""
        import fcntl
        import struct

        flock = "@hhqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid
        question = struct.pack(flock, fcntl.F_WRLCK, os.SEEK_SET, SQLITE_WAL_WRITE_LOCK, 1, 0)
        shm_path = self.database.sqlite_path + "-shm"
        while not self._stop.wait(PROBE_INTERVAL):
            self.samples += 1
            try:
                shm = os.open(shm_path, os.O_RDONLY)
            except FileNotFoundError:
                continue  # no connection open, so no writer
            except OSError:
                self.failures += 1
                continue
            try:
                answer = fcntl.fcntl(shm, fcntl.F_GETLK, question)
            except OSError:
                self.failures += 1
            else:
                self.busy += struct.unpack(flock, answer)[0] != fcntl.F_UNLCK
            finally:
                os.close(shm)

    def _postgres(self) -> None:
        """pgrowlocks (a contrib extension) lists the rows locked by transactions in
        progress, without taking their locks; pg_stat_activity shows who waits."""
        import psycopg

        with psycopg.connect(self.database.url, autocommit=True, connect_timeout=5) as db:
            try:
                db.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")
            except psycopg.Error as exc:
                self.unavailable = f"pgrowlocks unavailable: {exc}".strip()
            while not self._stop.wait(PROBE_INTERVAL):
                self.samples += 1
                try:
                    row = db.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    ).fetchone()
                    waiters = int(row[0]) if row else 0
                    self.waiting_samples += waiters > 0
                    self.max_waiters = max(self.max_waiters, waiters)
                    if not self.unavailable:
                        row = db.execute(
                            "SELECT count(*) FROM pgrowlocks('audit_auditchainhead')"
                        ).fetchone()
                        self.busy += bool(row and row[0])
                except psycopg.Error:
                    self.failures += 1

    def figures(self) -> dict[str, Any]:
        usable = self.samples - self.failures
        sqlite = self.database.engine == "sqlite"
        figures: dict[str, Any] = {
            "lock": "database write lock" if sqlite else "audit head row lock",
            "samples": self.samples,
            "busy_share": round(self.busy / usable, 4) if usable and not self.unavailable else None,
        }
        if self.unavailable:
            figures["unavailable"] = self.unavailable
        if self.failures:
            figures["failed_samples"] = self.failures
        if not sqlite:
            figures["lock_waiters_share"] = (
                round(self.waiting_samples / usable, 4) if usable else None
            )
            figures["lock_waiters_max"] = self.max_waiters
        return figures


class CpuMeter:
    """CPU used while the load ran: the whole machine (/proc/stat), gunicorn's processes and
    this load generator. Linux only; figures it cannot read are null."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.machine = _machine_ticks()
        self.server = _tree_ticks(server_pid)
        self.own = sum(os.times()[:2])

    def stop(self, window: float) -> dict[str, Any]:
        tick = os.sysconf("SC_CLK_TCK")
        machine = _machine_ticks()
        server = _tree_ticks(self.server_pid)
        busy_share = None
        if machine and self.machine:
            total = machine[0] - self.machine[0]
            idle = machine[1] - self.machine[1]
            busy_share = round(1 - idle / total, 3) if total else None
        server_s = (
            round((server - self.server) / tick, 2)
            if server is not None and self.server is not None
            else None
        )
        return {
            "cores": os.cpu_count(),
            "machine_busy_share": busy_share,
            "server_cpu_s": server_s,
            "load_generator_cpu_s": round(sum(os.times()[:2]) - self.own, 2),
            "window_s": round(window, 2),
        }


def _machine_ticks() -> tuple[int, int] | None:
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    return sum(values), values[3] + values[4]  # total, idle + iowait


def _tree_ticks(pid: int) -> int | None:
    """utime + stime of a process and its children (gunicorn's master and workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total = 0
        for each in [str(pid), *children]:
            stat = Path(f"/proc/{each}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _server(env: dict[str, str]) -> Iterator[Server]:
    """gunicorn with 2 workers on loopback, stopped afterwards whatever happens."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    # Its own process group, so that it can be stopped with its workers and nothing else;
    # its output goes to stderr, never into the JSON.
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=sys.stderr, start_new_session=True
    )
    try:
        _wait_until_ready(process, port)
        log(f"gunicorn (pid {process.pid}, {WORKERS} workers) on 127.0.0.1:{port}")
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], port: int) -> None:
    client = Client(port)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with status {process.returncode}; see stderr")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if client.request("GET", "/accounts/login/")[0] == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /accounts/login/ with 200 in {READY_TIMEOUT} s")


# --------------------------------------------------------------------------- report


def _report(args: argparse.Namespace, engines: dict[str, Any], seconds: float) -> dict[str, Any]:
    import django

    schedule_ok = (
        args.rate >= BUDGET["rate_per_s"] and args.duration >= BUDGET["duration_s"] and WORKERS == 2
    )
    within: dict[str, bool] = {}
    intact: dict[str, bool] = {}
    for engine, result in engines.items():
        if "error" in result:
            continue
        within[engine] = (
            schedule_ok
            and result["errors"] == BUDGET["errors"]
            and result["p95_ms"] is not None
            and result["p95_ms"] <= BUDGET["p95_ms"]
            and result["achieved_rate_per_s"] >= 0.95 * BUDGET["rate_per_s"]
        )
        intact[engine] = result["audit_chain_intact"]
    return {
        "benchmark": "load",
        "people": args.people,
        "rate_per_s": _number(args.rate),
        "duration_s": _number(args.duration),
        "workers": WORKERS,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "platform": platform.platform(),
        },
        "engines": engines,
        "budget": BUDGET,
        "within_budget": within,
        "audit_chain_intact": intact,
        "total_seconds": round(seconds, 1),
        "notes": NOTES,
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# --------------------------------------------------------------------------- child


def child(args: argparse.Namespace) -> int:
    """Setup or verification, in its own process: DATABASE_URL is read once, at setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Anything the application prints must not spoil the JSON on stdout.
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        import django

        django.setup()
        result = _setup(args) if args.phase == "setup" else _verify()
    finally:
        sys.stdout = stdout
    print(json.dumps(result))
    return 0


def _setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from tandem.people.models import Person
    from tandem.tenancy.demo import DEMO_PASSWORD, DEMO_SITE_SLUG, FAMILY_NAMES, seed_demo
    from tandem.tenancy.models import Site

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    migrate_seconds = time.perf_counter() - started
    log(f"seeding {args.people} people…")
    started = time.perf_counter()
    result = seed_demo(seed=SEED, people=args.people, today=TODAY)
    seed_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # as autovacuum would on a live site
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    site = Site.objects.get(slug=DEMO_SITE_SLUG)
    return {
        "database_version": version,
        "migrate_seconds": round(migrate_seconds, 2),
        "seed_seconds": round(seed_seconds, 2),
        "site_public_id": str(site.public_id),
        "password": DEMO_PASSWORD,
        "family_names": list(FAMILY_NAMES),
        "data": {
            "people_at_site": Person.objects.filter(site=site).count(),
            "extra_case_managers": result.extra_case_managers,
        },
    }


def _verify() -> dict[str, Any]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tandem.audit.models import AuditEvent

    output = io.StringIO()
    try:
        call_command("audit_verify", stdout=output, no_color=True)
    except CommandError as exc:
        intact, message = False, str(exc)
    else:
        intact, message = True, output.getvalue().strip()
    return {"intact": intact, "message": message, "rows": AuditEvent.objects.count()}


if __name__ == "__main__":
    sys.exit(main())
