from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.tenancy.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the fictional demo LEAD sites, their users and synthetic people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2011, help="random seed (default 2011)")
        parser.add_argument("--people", type=int, default=60, help="people at the demo site")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="reference date YYYY-MM-DD that all dates are relative to (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOCAL:
            # The demo's accounts share a published password: never on a real site.
            raise CommandError(
                "seed_demo only runs in the demo (TANDEM_DEMO=1), debug or test mode; "
                "it creates accounts with a published password."
            )
        if options["people"] < 0 or options["people"] > 100_000:
            raise CommandError("--people must be between 0 and 100000.")
        result = seed_demo(seed=options["seed"], people=options["people"], today=options["today"])
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo sites created with {result.people} people.")
            )
        else:
            self.stdout.write("Demo sites already exist; nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max((len(login.username) for login in result.logins), default=10)
        for login in result.logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role} · {login.organization} · {login.site}"
            )
        if result.extra_case_managers:
            self.stdout.write(
                f"  (plus {result.extra_case_managers} more case manager account(s) named "
                "bridgeway-cm-N or northside-cm-N, so that caseloads stay realistic)"
            )
