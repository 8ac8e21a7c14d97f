"""Upkeep of the background queue itself: finished task results do not pile up."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from tandem.core.periodic import periodic


@periodic(every=timedelta(days=1), name="core.task_results_prune")
def task_results_prune(now: datetime) -> int:
    """Delete the results of tasks that finished (succeeded or failed) more than
    TANDEM_TASK_RESULTS_KEEP_DAYS days before `now`: the rows django-tasks-db's
    `prune_db_task_results --min-age-days N --queue-name '*'` deletes. A task still queued or
    running is kept whatever its age. Returns how many results were deleted."""
    cutoff = now - timedelta(days=settings.TANDEM_TASK_RESULTS_KEEP_DAYS)
    _, deleted = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted.get(DBTaskResult._meta.label, 0)
