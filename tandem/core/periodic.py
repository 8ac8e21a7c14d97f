"""Periodic jobs: deadlines, inactivity, reminders, the duplicate scan.

An app registers a job in its own `tasks.py`::

    @periodic(every=timedelta(days=1), name="matching.duplicates_scan")
    def scan_every_site(now: datetime) -> int:
        ...

A job takes the moment of the run and returns how many things it did (or None). It must be
idempotent: it marks what it did (a `reminded_at`, a status), so that running it again finds
nothing left to do. `tandem worker` calls `run_due()` every 30 seconds; `tandem run_periodic`
calls it once.

Last-run state lives in `PeriodicRun`, one row per job. A run claims the row with one
conditional UPDATE (`WHERE last_started_at <= now - every`), so two workers, or a worker and
a cron line, never run a job twice in one interval, and a restarted worker does not run again
what ran a minute ago. A job that raises records its error and the other jobs still run. A job
runs outside any transaction of the scheduler: its writes go through services, which make
their own. A job should finish well within its interval: a run that outlasts it may be claimed
again by another worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from tandem.core.models import PeriodicRun

logger = logging.getLogger(__name__)

JobFunction = Callable[[datetime], int | None]
F = TypeVar("F", bound=JobFunction)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: JobFunction


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """One job that ran: its result, or the error it raised."""

    name: str
    result: int | None = None
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error)


_registry: dict[str, PeriodicJob] = {}


def periodic(every: timedelta, name: str | None = None) -> Callable[[F], F]:
    """Register `fn(now) -> int | None` to run once every `every`. The name (by default the
    function's dotted path) keys its last-run row, so keep it stable."""
    if every <= timedelta(0):
        raise ImproperlyConfigured("A periodic job needs a positive interval.")

    def decorator(function: F) -> F:
        job_name = name or f"{function.__module__}.{function.__qualname__}"
        known = _registry.get(job_name)
        if known is not None and _dotted(known.function) != _dotted(function):
            raise ImproperlyConfigured(
                f"Two periodic jobs are named {job_name!r}: "
                f"{_dotted(known.function)} and {_dotted(function)}."
            )
        _registry[job_name] = PeriodicJob(name=job_name, every=every, function=function)
        return function

    return decorator


def _dotted(function: JobFunction) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def registered_jobs() -> dict[str, PeriodicJob]:
    """Every registered job by name (after `autodiscover()`)."""
    autodiscover()
    return dict(sorted(_registry.items()))


def autodiscover() -> None:
    """Import the `tasks` module of every Tandem app, which registers its jobs (and its
    django.tasks tasks). Called when the apps are ready, and again (harmlessly) by the
    scheduler, so a worker or a command never runs with an empty registry."""
    for config in apps.get_app_configs():
        if config.name.startswith("tandem.") and module_has_submodule(config.module, "tasks"):
            import_module(f"{config.name}.tasks")


def run_due(
    now: datetime | None = None, *, only: str | None = None, force: bool = False
) -> dict[str, int | None]:
    """Run every job whose interval has passed since its last start; returns what each job
    that ran returned (None for a job that failed: its error is on its `PeriodicRun`)."""
    return {outcome.name: outcome.result for outcome in run_due_jobs(now, only=only, force=force)}


def run_due_jobs(
    now: datetime | None = None, *, only: str | None = None, force: bool = False
) -> list[JobOutcome]:
    """`run_due`, with each job's error. `only` runs one job by name (KeyError if unknown);
    `force` runs it whatever its last run."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("run_due needs an aware datetime.")
    jobs = registered_jobs()
    if only is not None:
        jobs = {only: jobs[only]}
    outcomes = []
    for job in jobs.values():
        if _claim(job, now, force=force):
            outcomes.append(_run(job, now))
    return outcomes


def _claim(job: PeriodicJob, now: datetime, *, force: bool) -> bool:
    PeriodicRun.objects.get_or_create(name=job.name)
    rows = PeriodicRun.objects.filter(name=job.name)
    if not force:
        rows = rows.filter(
            Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every)
        )
    # One statement: of two workers that both saw the job due, only one updates the row.
    return rows.update(last_started_at=now) == 1


def _run(job: PeriodicJob, now: datetime) -> JobOutcome:
    try:
        result = job.function(now)
    except Exception as error:
        logger.exception("Periodic job %s failed", job.name)
        outcome = JobOutcome(name=job.name, error=f"{type(error).__name__}: {error}"[:2000])
    else:
        outcome = JobOutcome(name=job.name, result=result if result is None else int(result))
    PeriodicRun.objects.filter(name=job.name).update(
        # Never before the start, even when the caller named a moment in the future.
        last_finished_at=max(timezone.now(), now),
        last_result=outcome.result,
        last_error=outcome.error,
    )
    return outcome
