"""Finished task results are pruned daily once older than TANDEM_TASK_RESULTS_KEEP_DAYS;
newer ones, and tasks still waiting, stay."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tandem.core.periodic import run_due

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

pytestmark = pytest.mark.django_db


def task_result(status: TaskResultStatus, finished_days_ago: int | None) -> uuid.UUID:
    finished_at = None if finished_days_ago is None else NOW - finished_days_ago * DAY
    result = DBTaskResult.objects.create(
        status=status,
        finished_at=finished_at,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tandem.notify.tasks.deliver",
        backend_name="default",
        run_after=NOW - 30 * DAY,
    )
    return result.pk


def test_the_daily_job_deletes_only_finished_results_older_than_the_setting(settings):
    settings.TANDEM_TASK_RESULTS_KEEP_DAYS = 14
    old = task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=15)
    old_failure = task_result(TaskResultStatus.FAILED, finished_days_ago=20)
    recent = task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=13)
    waiting = task_result(TaskResultStatus.READY, finished_days_ago=None)

    assert run_due(NOW, only="core.task_results_prune") == {"core.task_results_prune": 2}

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent, waiting}
    assert not DBTaskResult.objects.filter(pk__in=[old, old_failure]).exists()


def test_a_shorter_setting_prunes_more(settings):
    settings.TANDEM_TASK_RESULTS_KEEP_DAYS = 7
    task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=8)
    kept = task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=6)

    assert run_due(NOW, only="core.task_results_prune") == {"core.task_results_prune": 1}

    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [kept]
