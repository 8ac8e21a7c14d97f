"""Fill a site with synthetic contacts, fast, for benchmarks (DESIGN.md §7: 5,000 people and
500,000 contacts). Only where fictional data is allowed (settings.LOCAL), like seed_demo.

    tandem seed_contacts --site harbor-city --people 5000 --contacts 500000

The site is brought to N people first: when it has fewer, synthetic participants are added,
enrolled with the site's case-management providers. Those are bulk-inserted, so the
matcher's index does not know them: search does not find them, the caseload and casework
pages do. The contacts are then spread evenly over the site's enrollments (open and ended,
the first N of them)."""

from __future__ import annotations

import random
import time
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import audit_record
from tandem.casework.demo import MODES, NOTES, PLACES
from tandem.casework.models import Contact, Enrollment, EnrollmentEvent
from tandem.casework.services import contacts_import
from tandem.people.models import Person
from tandem.tenancy.models import Membership, Organization, Site

MAX_PEOPLE = 100_000
MAX_CONTACTS = 5_000_000
BATCH = 5_000


class Command(BaseCommand):
    help = "Add synthetic contacts (and participants, if needed) to a site, in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="the site's slug")
        parser.add_argument(
            "--people", type=int, required=True, help="participants to spread the contacts over"
        )
        parser.add_argument("--contacts", type=int, required=True, help="contacts to add")
        parser.add_argument("--seed", type=int, default=2011, help="random seed (default 2011)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOCAL:
            raise CommandError(
                "seed_contacts only runs in the demo (TANDEM_DEMO=1), debug or test mode: "
                "it writes fictional participant data."
            )
        people, contacts = options["people"], options["contacts"]
        if not 1 <= people <= MAX_PEOPLE:
            raise CommandError(f"--people must be between 1 and {MAX_PEOPLE}.")
        if not 0 <= contacts <= MAX_CONTACTS:
            raise CommandError(f"--contacts must be between 0 and {MAX_CONTACTS}.")
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site has the slug {options['site']!r}.")
        rng = random.Random(options["seed"])  # noqa: S311  (synthetic data, not secrets)
        started = time.perf_counter()
        with transaction.atomic():
            added = _participants(rng, site, people)
            stored = contacts_import(
                actor=None, site=site, contacts=_contacts(rng, site, people, contacts)
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{site.name}: {added} participants added; {stored} contacts over the "
                f"site's first {people} enrollments, in {seconds:.1f} s."
            )
        )


def _team(site: Site) -> dict[int, list[int]]:
    """User ids of each case-management provider's members."""
    team: dict[int, list[int]] = {}
    for organization_id, user_id in Membership.objects.filter(
        site=site, organization__kind=Organization.Kind.CASE_MANAGEMENT, is_active=True
    ).values_list("organization_id", "user_id"):
        team.setdefault(organization_id, []).append(user_id)
    return team


def _participants(rng: random.Random, site: Site, wanted: int) -> int:
    """Add enrolled synthetic participants until the site has `wanted` people."""
    missing = wanted - Person.objects.filter(site=site).count()
    if missing <= 0:
        return 0
    team = _team(site)
    if not team:
        raise CommandError("The site has no case-management provider with members.")
    providers = sorted(team)
    today = site.today()
    first = Person.objects.filter(site=site).count()
    people = Person.objects.bulk_create(
        [
            Person(
                site=site,
                given_name="Synthetic",
                family_name=f"Participant {first + index + 1}",
                date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)),
                dob_precision=Person.DobPrecision.EXACT,
                race=["declined"],
            )
            for index in range(missing)
        ],
        batch_size=BATCH,
    )
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                site=site,
                person=person,
                provider_id=(provider := providers[index % len(providers)]),
                case_manager_id=team[provider][index % len(team[provider])],
                enrolled_on=today - timedelta(days=rng.randint(30, 730)),
            )
            for index, person in enumerate(people)
        ],
        batch_size=BATCH,
    )
    zone = zoneinfo.ZoneInfo(site.time_zone)
    EnrollmentEvent.objects.bulk_create(
        [
            EnrollmentEvent(
                site=site,
                enrollment=enrollment,
                kind=EnrollmentEvent.Kind.ENROLLED,
                at=datetime.combine(enrollment.enrolled_on, datetime.min.time(), zone),
                to_status=Enrollment.Status.ACTIVE,
                by_label="Tandem",
            )
            for enrollment in enrollments
        ],
        batch_size=BATCH,
    )
    audit_record(
        actor=None,
        site=site,
        action="participants.imported",
        category="enrollment",
        detail={"count": len(enrollments), "synthetic": True},
    )
    return len(enrollments)


def _contacts(rng: random.Random, site: Site, people: int, total: int) -> Iterator[Contact]:
    """`total` contacts spread evenly over the site's first `people` enrollments, each
    between its enrollment (or its end) and now, newest-first order of no importance."""
    team = _team(site)
    rows = list(
        Enrollment.objects.filter(site=site)
        .order_by("pk")
        .values_list(
            "pk", "person_id", "provider_id", "case_manager_id", "enrolled_on", "exited_on"
        )[:people]
    )
    if not rows:
        return
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(site.time_zone)
    for index in range(total):
        pk, person_id, provider_id, case_manager_id, enrolled_on, exited_on = rows[
            index % len(rows)
        ]
        recorder = case_manager_id or rng.choice(team.get(provider_id) or [None])
        if recorder is None:
            continue
        begins = datetime.combine(enrolled_on, datetime.min.time(), zone)
        ends = datetime.combine(exited_on, datetime.min.time(), zone) if exited_on else now
        span = max((ends - begins).total_seconds(), 3600.0)
        at = begins + timedelta(seconds=rng.random() * span)
        kind = rng.choices(("substantive", "attempt", "collateral"), weights=(65, 25, 10))[0]
        words, category, audience = (
            rng.choice(NOTES) if rng.random() < 0.4 else ("", "casework", "team")
        )
        yield Contact(
            site_id=site.pk,
            enrollment_id=pk,
            person_id=person_id,
            at=min(at, now),
            kind=kind,
            mode=rng.choice(MODES),
            place=rng.choice(PLACES),
            minutes=rng.choice((0, 5, 15, 30, 45, 60)),
            note=words,
            note_category=category,
            note_audience=audience,
            recorded_by_id=recorder,
            recorded_by_organization_id=provider_id,
        )
