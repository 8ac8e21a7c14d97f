"""What every benchmark in bench/ shares: the fixed demo seed, a throwaway database per
engine (removed afterwards whatever happens), progress on stderr, and SIGTERM unwinding like
Ctrl-C so that the cleanup runs. Imported by the scripts beside it, which run alone."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("sqlite", "postgres")
SEED = 2011
TODAY = date(2026, 11, 1)  # fixed, so that every run seeds the same data
# A maintenance database of the server to create and drop the benchmark's database from.
POSTGRES_ADMIN_URL = os.environ.get(
    "TANDEM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    """A SIGTERM handler: unwind like Ctrl-C, so that temporary databases are removed."""
    raise KeyboardInterrupt


class DatabaseUnavailableError(Exception):
    pass


@dataclass(frozen=True)
class Database:
    engine: str
    url: str
    sqlite_path: str = ""


@contextlib.contextmanager
def temporary_database(engine: str, *, prefix: str) -> Iterator[Database]:
    """A fresh, empty database for one engine, removed afterwards whatever happens."""
    if engine == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"{prefix}-")
        path = Path(folder) / f"{prefix}.sqlite3"
        try:
            yield Database(engine, f"sqlite:///{path}", str(path))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return

    import psycopg
    from psycopg import sql

    name = f"{prefix.replace('-', '_')}_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise DatabaseUnavailableError(
            f"PostgreSQL unavailable at {redacted(POSTGRES_ADMIN_URL)}: {exc}".strip()
        ) from exc
    parts = urlsplit(POSTGRES_ADMIN_URL)
    try:
        yield Database(engine, urlunsplit(parts._replace(path=f"/{name}")))
    finally:
        try:
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            log(f"dropped database {name}")
        except psycopg.Error as exc:
            log(f"could not drop database {name}: {exc}; drop it by hand")


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class ChildFailedError(Exception):
    pass


def run_engine_child(
    script: str, *, engine: str, url: str, arguments: list[str], expect: str
) -> dict[str, Any]:
    """Run `script --engine ENGINE ARGUMENTS` in its own process against `url` (settings read
    DATABASE_URL once, at django.setup()) and return the JSON it prints; progress on its
    stderr goes straight through. The child must print a document holding `expect`."""
    import json
    import subprocess

    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        TANDEM_TESTING="1",
        TANDEM_DEMO_RELAX_MFA="1",
        TANDEM_DEBUG="0",  # DEBUG would keep every query in memory and slow each one
    )
    command = [sys.executable, script, "--engine", engine, *arguments]
    done = subprocess.run(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    try:
        result: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        result = {}
    if done.returncode != 0:
        reason = result.get("error") or "see stderr"
        raise ChildFailedError(f"the {engine} run exited with status {done.returncode}: {reason}")
    if expect not in result:
        raise ChildFailedError(f"the {engine} run printed no result on stdout")
    return result
