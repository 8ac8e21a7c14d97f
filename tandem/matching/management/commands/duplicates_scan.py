from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.matching.services import duplicates_scan
from tandem.tenancy.models import Site


class Command(BaseCommand):
    help = (
        "Compare a site's people with each other and put likely duplicates in the project "
        "manager's review queue. Nothing is merged: a person decides every pair."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="The site's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with the slug {options['site']!r}.")
        open_pairs = duplicates_scan(actor=None, site=site)
        self.stdout.write(f"{site.name}: {open_pairs} pairs open for review.")
