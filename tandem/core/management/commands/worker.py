import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from tandem.core.periodic import registered_jobs, run_due_jobs

logger = logging.getLogger(__name__)

# How long a stopping worker waits for a periodic job that is still running.
SHUTDOWN_GRACE_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Run Tandem's background work until SIGINT or SIGTERM: the task queue in the database "
        "(django-tasks-db's db_worker: e-mail and SMS deliveries, ...) and the periodic jobs "
        "(checked every 30 seconds)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait for a new task when the queue is empty (default: 1).",
        )
        parser.add_argument(
            "--periodic-interval",
            type=float,
            default=30.0,
            help="Seconds between two checks for due periodic jobs (default: 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["periodic_interval"] <= 0:
            raise CommandError("--interval must be 0 or more and --periodic-interval above 0.")
        jobs = ", ".join(registered_jobs()) or "none"
        self.stdout.write(
            f"Tandem worker: tasks from the database queue; periodic jobs ({jobs}) "
            f"every {options['periodic_interval']:g} s. Ctrl-C or SIGTERM stops it."
        )
        stop = threading.Event()
        scheduler = threading.Thread(
            target=self._schedule,
            args=(stop, options["periodic_interval"], options["verbosity"]),
            name="tandem-periodic",
            daemon=True,
        )
        scheduler.start()
        try:
            # db_worker handles SIGINT and SIGTERM: it finishes the task in hand, then returns
            # (or exits with SystemExit(0) while idle); either way the scheduler stops here.
            call_command(
                "db_worker",
                interval=options["interval"],
                reload=False,
                startup_delay=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
            scheduler.join(timeout=SHUTDOWN_GRACE_SECONDS)
            self.stdout.write("Tandem worker stopped.")

    def _schedule(self, stop: threading.Event, every: float, verbosity: int) -> None:
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    for outcome in run_due_jobs():
                        if outcome.failed:
                            self.stderr.write(
                                f"Periodic job {outcome.name} failed: {outcome.error}"
                            )
                        elif verbosity >= 2 or (verbosity >= 1 and outcome.result):
                            # A job that found nothing to do says so only when asked.
                            self.stdout.write(f"Periodic job {outcome.name}: {outcome.result}")
                except Exception:
                    # The database may be away for a moment; try again at the next check.
                    logger.exception("The periodic scheduler could not run; trying again")
                stop.wait(every)
        finally:
            connections.close_all()
