from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.matching.services import site_reindex
from tandem.tenancy.models import Site


class Command(BaseCommand):
    help = (
        "Rebuild the matcher's index (keys, names, profiles) of one site or of every site, "
        "after an upgrade that changes how keys are made."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", help="The site's slug (default: every site).")

    def handle(self, *args: Any, **options: Any) -> None:
        sites = Site.objects.order_by("pk")
        if options["site"]:
            sites = sites.filter(slug=options["site"])
            if not sites.exists():
                raise CommandError(f"No site with the slug {options['site']!r}.")
        for site in sites:
            count = site_reindex(site=site)
            self.stdout.write(f"{site.name}: {count} people indexed.")
