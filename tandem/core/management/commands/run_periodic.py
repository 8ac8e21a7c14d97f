from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tandem.core.periodic import registered_jobs, run_due_jobs


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that are due (deadlines, reminders, the duplicate scan) once "
        "and say what ran. `tandem worker` does this every 30 seconds; this is for cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", help="Run only this job (its name).")
        parser.add_argument(
            "--now",
            help="The moment to run as, in ISO 8601 (e.g. 2026-06-01T07:00:00+00:00); "
            "without a time zone it is read as UTC. Default: now.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even if the job ran within its interval."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = self._moment(options["now"])
        jobs = registered_jobs()
        name = options["job"]
        if name is not None and name not in jobs:
            known = ", ".join(jobs) or "none"
            raise CommandError(f"No periodic job named {name!r}. Known jobs: {known}.")
        outcomes = run_due_jobs(now, only=name, force=options["force"])
        if not outcomes:
            self.stdout.write("Nothing was due.")
        for outcome in outcomes:
            if outcome.failed:
                self.stderr.write(f"{outcome.name}: failed: {outcome.error}")
            else:
                done = "done" if outcome.result is None else str(outcome.result)
                self.stdout.write(f"{outcome.name}: {done}")
        failed = [outcome.name for outcome in outcomes if outcome.failed]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}.")

    def _moment(self, value: str | None) -> datetime:
        if not value:
            return timezone.now()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                f"--now {value!r} is not an ISO 8601 date and time "
                "(e.g. 2026-06-01T07:00:00+00:00)."
            ) from error
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        return moment
