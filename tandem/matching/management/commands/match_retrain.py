from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.matching.services import TooFewPeopleError, site_model_train
from tandem.tenancy.models import Site


class Command(BaseCommand):
    help = (
        "Re-estimate a site's matching weights from its own people (unsupervised) and store "
        "them as the site's newest model version. Run after a large import or a year of use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="The site's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with the slug {options['site']!r}.")
        try:
            row = site_model_train(actor=None, site=site)
        except TooFewPeopleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{site.name}: match model version {row.version} estimated from "
                f"{row.trained_on} people."
            )
        )
