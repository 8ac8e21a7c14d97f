"""Periodic jobs: each runs once per interval, however many schedulers ask; a failing job
records its error and the others still run."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from tandem.audit.models import AuditEvent
from tandem.core import periodic
from tandem.core.models import PeriodicRun
from tandem.people.models import DuplicateCandidate
from tests.factories import PersonFactory, SiteFactory

START = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test's own jobs (the apps' jobs are already imported, so
    autodiscovery adds nothing back)."""
    jobs: dict[str, periodic.PeriodicJob] = {}
    monkeypatch.setattr(periodic, "_registry", jobs)
    return jobs


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def counting_job(name: str, every: dt.timedelta, calls: list[dt.datetime]):
    @periodic.periodic(every=every, name=name)
    def job(now: dt.datetime) -> int:
        calls.append(now)
        return len(calls)

    return job


def test_a_job_runs_once_per_interval(db, registry, clock):
    calls: list[dt.datetime] = []
    counting_job("test.hourly", dt.timedelta(hours=1), calls)

    assert periodic.run_due() == {"test.hourly": 1}
    assert periodic.run_due() == {}
    clock.shift(dt.timedelta(minutes=59))
    assert periodic.run_due() == {}
    clock.shift(dt.timedelta(minutes=1))
    assert periodic.run_due() == {"test.hourly": 2}

    assert calls == [START, START + dt.timedelta(hours=1)]
    run = PeriodicRun.objects.get(name="test.hourly")
    assert run.last_started_at == START + dt.timedelta(hours=1)
    assert run.last_finished_at == START + dt.timedelta(hours=1)
    assert (run.last_result, run.last_error) == (2, "")


def test_two_runs_at_the_same_moment_run_the_job_once(db, registry, clock):
    calls: list[dt.datetime] = []
    counting_job("test.daily", dt.timedelta(days=1), calls)

    first = periodic.run_due(START)
    second = periodic.run_due(START)

    assert (first, second) == ({"test.daily": 1}, {})
    assert len(calls) == 1


def test_a_restarted_scheduler_does_not_run_again_what_just_ran(db, registry, clock):
    calls: list[dt.datetime] = []
    counting_job("test.daily", dt.timedelta(days=1), calls)
    periodic.run_due()

    # A new process: the registry is built again, the last run is still in the database.
    registry.clear()
    counting_job("test.daily", dt.timedelta(days=1), calls)
    clock.shift(dt.timedelta(minutes=5))

    assert periodic.run_due() == {}
    assert len(calls) == 1


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two connections at once need PostgreSQL (the SQLite test database is in memory)",
)
def test_two_schedulers_in_two_threads_run_the_job_once(transactional_db, registry):
    calls: list[dt.datetime] = []
    entered = threading.Barrier(2)

    @periodic.periodic(every=dt.timedelta(hours=1), name="test.contended")
    def job(now: dt.datetime) -> None:
        calls.append(now)

    PeriodicRun.objects.create(name="test.contended")  # both threads start from the same row
    results: list[dict[str, int | None]] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            entered.wait(timeout=10)
            results.append(periodic.run_due(START))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results, key=len) == [{}, {"test.contended": None}]
    assert calls == [START]


def test_a_failing_job_records_its_error_and_the_others_still_run(db, registry, clock):
    calls: list[dt.datetime] = []

    @periodic.periodic(every=dt.timedelta(hours=1), name="test.broken")
    def broken(now: dt.datetime) -> int:
        raise ValueError("the deadline table is missing")

    counting_job("test.working", dt.timedelta(hours=1), calls)

    outcomes = periodic.run_due()

    assert outcomes == {"test.broken": None, "test.working": 1}
    broken_run = PeriodicRun.objects.get(name="test.broken")
    assert broken_run.last_error == "ValueError: the deadline table is missing"
    assert broken_run.last_result is None
    assert broken_run.last_finished_at == START
    assert PeriodicRun.objects.get(name="test.working").last_error == ""
    # A failed job waits for its next interval like any other.
    assert periodic.run_due() == {}


def test_force_runs_a_job_again_within_its_interval(db, registry, clock):
    calls: list[dt.datetime] = []
    counting_job("test.daily", dt.timedelta(days=1), calls)
    counting_job("test.other", dt.timedelta(days=1), [])
    periodic.run_due()

    assert periodic.run_due(only="test.daily", force=True) == {"test.daily": 2}
    assert len(calls) == 2


def test_two_jobs_cannot_share_a_name(registry):
    @periodic.periodic(every=dt.timedelta(hours=1), name="test.same")
    def first(now: dt.datetime) -> None:
        return None

    with pytest.raises(ImproperlyConfigured, match=r"Two periodic jobs are named 'test\.same'"):

        @periodic.periodic(every=dt.timedelta(hours=1), name="test.same")
        def second(now: dt.datetime) -> None:
            return None


def test_an_interval_must_be_positive():
    with pytest.raises(ImproperlyConfigured):
        periodic.periodic(every=dt.timedelta(0))


def test_the_duplicate_scan_is_a_daily_job_of_the_system_for_every_site(db):
    job = periodic.registered_jobs()["matching.duplicates_scan"]
    sites = [SiteFactory(), SiteFactory()]
    for site in sites:
        for _ in range(2):
            PersonFactory(site=site, given_name="Rosa", family_name="Quintero")

    outcomes = periodic.run_due(only="matching.duplicates_scan")

    assert job.every == dt.timedelta(days=1)
    assert outcomes == {"matching.duplicates_scan": 2}
    for site in sites:
        assert DuplicateCandidate.objects.filter(site=site, status="open").count() == 1
    scans = AuditEvent.objects.filter(action="matching.duplicates_scanned")
    assert scans.count() == 2
    assert set(scans.values_list("actor_id", flat=True)) == {None}


# `tandem run_periodic`


def run_periodic(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("run_periodic", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_run_periodic_runs_what_is_due_and_says_so(db, registry):
    counting_job("test.hourly", dt.timedelta(hours=1), [])

    first, _ = run_periodic("--now", "2026-06-01T07:00:00+00:00")
    again, _ = run_periodic("--now", "2026-06-01T07:30:00+00:00")
    later, _ = run_periodic("--now", "2026-06-01T08:00:00")  # no zone: UTC

    assert first == "test.hourly: 1\n"
    assert again == "Nothing was due.\n"
    assert later == "test.hourly: 2\n"
    run = PeriodicRun.objects.get(name="test.hourly")
    assert run.last_started_at == dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def test_run_periodic_runs_one_job_and_forces_it(db, registry, clock):
    calls: list[dt.datetime] = []
    counting_job("test.daily", dt.timedelta(days=1), calls)
    counting_job("test.other", dt.timedelta(days=1), [])
    run_periodic()

    out, _ = run_periodic("--job", "test.daily", "--force")

    assert out == "test.daily: 2\n"


def test_run_periodic_refuses_an_unknown_job_or_a_bad_moment(db, registry):
    counting_job("test.daily", dt.timedelta(days=1), [])

    with pytest.raises(
        CommandError, match=r"No periodic job named 'nope'\. Known jobs: test\.daily"
    ):
        run_periodic("--job", "nope")
    with pytest.raises(CommandError, match="is not an ISO 8601 date and time"):
        run_periodic("--now", "next tuesday")
    assert not PeriodicRun.objects.exists()


def test_run_periodic_reports_a_failed_job_and_exits_non_zero(db, registry, clock):
    @periodic.periodic(every=dt.timedelta(hours=1), name="test.broken")
    def broken(now: dt.datetime) -> int:
        raise RuntimeError("mail server down")

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"1 job\(s\) failed: test\.broken"):
        call_command("run_periodic", stdout=out, stderr=err)

    assert "test.broken: failed: RuntimeError: mail server down" in err.getvalue()
