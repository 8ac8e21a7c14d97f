"""`tandem worker` as an operator runs it: a separate process on a file database, running
queued tasks and the periodic jobs, and stopping cleanly on SIGTERM.

The test database lives inside the pytest process (in memory on SQLite, inside a
transaction on PostgreSQL), where no other process can see it, so the worker gets its own
SQLite file, migrated here."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

SUBJECT = "A referral is waiting for you"
BODY = "Rosa Quintero, DOB 1984-02-11"

SCENE = f"""
from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.notify.services import notify
from tandem.tenancy.models import Membership, Organization, Site

site = Site.objects.create(name="Worker site", slug="worker-site")
provider = Organization.objects.create(site=site, name="Provider", kind="case_management")
user = User.objects.create(username="pat", email="pat@example.org", phone="+1 555 0199")
Membership.objects.create(user=user, site=site, organization=provider, role=Role.CASE_MANAGER)
notify(site=site, recipients=[user], kind="test", subject={SUBJECT!r}, body={BODY!r},
       channels=["email", "sms"])
"""


def worker_env(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TANDEM_", "DJANGO_", "PYTEST_")) and name != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        TANDEM_DEMO="1",  # a local run: console e-mail, no secret key needed
        TANDEM_SMS_BACKEND="tandem.notify.sms.FileSmsBackend",
        TANDEM_SMS_FILE_PATH=str(tmp_path / "sms"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_runs_tasks_and_periodic_jobs_and_stops_on_sigterm(tmp_path):
    env = worker_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "--no-imports", "-c", SCENE)
    database = sqlite3.connect(tmp_path / "worker.sqlite3")

    def statuses() -> dict[str, str]:
        rows = database.execute("SELECT channel, status FROM notify_delivery").fetchall()
        return dict(rows)

    def scan_finished() -> bool:
        row = database.execute(
            "SELECT last_finished_at FROM core_periodicrun WHERE name = ?",
            ("matching.duplicates_scan",),
        ).fetchone()
        return row is not None and row[0] is not None

    assert statuses() == {"inbox": "sent", "email": "queued", "sms": "queued"}
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.2"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            sent = wait_for(lambda: set(statuses().values()) == {"sent"})
            scanned = wait_for(scan_finished)
            assert sent, statuses()
            assert scanned

            worker.send_signal(signal.SIGTERM)
            returncode = worker.wait(timeout=15)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    database.close()

    printed = log.read_text()
    assert returncode == 0, printed
    assert "Tandem worker stopped." in printed
    assert f"Subject: [Tandem] {SUBJECT}" in printed  # the console e-mail backend
    (message,) = (tmp_path / "sms").iterdir()
    assert f"Tandem: {SUBJECT} http://127.0.0.1:8000/inbox/" in message.read_text()
    for part in ("Rosa", "Quintero", "1984"):
        assert part not in printed
        assert part not in message.read_text()
