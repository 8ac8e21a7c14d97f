"""Two years of invented casework for the demo sites: contacts (substantive ones, attempts
while outreach looks for someone, collateral calls), their notes with an audience and a
category, and a few open follow-ups. Everything here is fictional; the same generator and
reference date always give the same data.

`seed_demo` (tandem/tenancy/demo.py) calls `seed_casework(rng, site, today)` once the site's
enrollments exist, and `demo_history(...)` for each enrollment it creates."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from tandem.access.decisions import Audience
from tandem.access.roles import Category
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.models import GOAL_AREAS, SERVICES_GIVEN, Contact, Enrollment, ExitReason, Task
from tandem.casework.services import contacts_import
from tandem.tenancy.models import Membership, Site

HISTORY_DAYS = 730
# The reasons the demo's exited participants left, in turn (never "non-participation").
DEMO_EXIT_REASONS = (
    ExitReason.MOVED,
    ExitReason.CHOSE_TO_LEAVE,
    ExitReason.INCARCERATION,
    ExitReason.MOVED,
    ExitReason.DECEASED,
)

PLACES = [
    "3rd Ave & Bell St",
    "Under the I-5 overpass",
    "Pioneer Square park",
    "Day centre on Main",
    "Mission shelter",
    "Library steps",
    "Bus shelter at 12th",
    "Harbor Street camp",
    "Clinic waiting room",
    "Corner store on Pine",
]
MODES = ["street"] * 6 + ["shelter"] * 2 + ["office", "phone", "phone", "jail", "hospital", "court"]
NOTES: list[tuple[str, str, str]] = [
    # (words, category, audience)
    ("Talked about getting an ID card; wants to go Thursday.", Category.CASEWORK, Audience.TEAM),
    ("Brought water and socks. In good spirits.", Category.CASEWORK, Audience.TEAM),
    ("Looked at two rooms with the housing navigator.", Category.CASEWORK, Audience.TEAM),
    ("Benefits appointment booked for next week.", Category.CASEWORK, Audience.WORK_GROUP),
    ("Foot wound looks worse; walked with them to the clinic.", Category.HEALTH, Audience.TEAM),
    ("Says the new medication helps them sleep.", Category.HEALTH, Audience.TEAM),
    ("Wants to start buprenorphine; referral made.", Category.SUBSTANCE_USE, Audience.TEAM),
    ("Used less this week; has naloxone.", Category.SUBSTANCE_USE, Audience.TEAM),
    ("Worried about the court date; we will go together.", Category.LEGAL, Audience.LEGAL_PARTNERS),
    (
        "Needs a bed before the court date; raise at the work group.",
        Category.CASEWORK,
        Audience.WORK_GROUP,
    ),
]
TASKS = [
    "Bring the ID application form",
    "Call the clinic about the wound care appointment",
    "Go with them to the benefits office",
    "Ask the shelter about a bed",
    "Court date: meet outside at 8:30",
]


def demo_history(
    status: str, *, enrolled_on: date, last_contact: date | None, today: date
) -> dict[str, Any]:
    """The extra arguments of `enrollment_create` for a demo enrollment that arrives with a
    history: why an exited one left, and since when it has been inactive or exited. Uses no
    random numbers, so the rest of the demo stays as it was."""
    if status == Enrollment.Status.ACTIVE:
        return {}
    since = min(today, (last_contact or enrolled_on) + timedelta(days=31))
    if status == Enrollment.Status.INACTIVE:
        return {"status_since": since}
    return {
        "status_since": since,
        "exit_reason": DEMO_EXIT_REASONS[enrolled_on.toordinal() % len(DEMO_EXIT_REASONS)],
    }


def _recorders(site: Site) -> dict[int, list[User]]:
    """The case-management members of each provider of the site."""
    found: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        site=site, organization__kind="case_management", is_active=True
    ).select_related("user"):
        found.setdefault(membership.organization_id, []).append(membership.user)
    return found


def _moment(rng: random.Random, on: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(on, time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))), zone)


def _contacts_for(
    rng: random.Random,
    enrollment: Enrollment,
    recorders: list[User],
    today: date,
    zone: ZoneInfo,
) -> Iterator[Contact]:
    """Contacts from the enrollment (at most two years back) to its last substantive
    contact; afterwards, for an inactive or exited participant, attempts only."""
    start = max(enrollment.enrolled_on, today - timedelta(days=HISTORY_DAYS))
    last = enrollment.last_substantive_contact_on
    end = enrollment.exited_on or today
    if enrollment.status == Enrollment.Status.ACTIVE and last is None:
        end = min(end, start + timedelta(days=10))
    recorder = enrollment.case_manager or rng.choice(recorders)
    day = start
    substantive_until = last if last is not None else start - timedelta(days=1)
    while day <= end:
        if day <= substantive_until:
            kind = rng.choices(["substantive", "attempt", "collateral"], weights=[65, 25, 10])[0]
        else:
            kind = "attempt"
        yield _contact(rng, enrollment, recorder, kind, _moment(rng, day, zone))
        day += timedelta(days=rng.randint(3, 12))
    if last is not None and start <= last <= end:
        # The last substantive contact the enrollment already records.
        yield _contact(rng, enrollment, recorder, "substantive", _moment(rng, last, zone))


def _contact(
    rng: random.Random, enrollment: Enrollment, recorder: User, kind: str, at: datetime
) -> Contact:
    note, category, audience = "", str(Category.CASEWORK), str(Audience.TEAM)
    if kind == "substantive" and rng.random() < 0.6:
        note, category, audience = rng.choice(NOTES)
    elif kind == "attempt" and rng.random() < 0.3:
        note = "Not there; left word with a friend."
    substantive = kind == "substantive"
    return Contact(
        site_id=enrollment.site_id,
        enrollment_id=enrollment.pk,
        person_id=enrollment.person_id,
        at=at,
        kind=kind,
        mode=rng.choice(MODES) if kind != "collateral" else "phone",
        place=rng.choice(PLACES) if kind != "collateral" else "",
        minutes=rng.choice((15, 20, 30, 45, 60, 90)) if substantive else rng.choice((0, 5, 10)),
        goal_areas=sorted(rng.sample(list(GOAL_AREAS), rng.randint(0, 2))) if substantive else [],
        services=sorted(rng.sample(list(SERVICES_GIVEN), rng.randint(0, 2))) if substantive else [],
        note=note,
        note_audience=audience,
        note_category=category,
        recorded_by_id=recorder.pk,
        recorded_by_organization_id=enrollment.provider_id,
    )


def seed_casework(rng: random.Random, site: Site, today: date) -> int:
    """Two years of contacts for every enrollment of `site`, and a few open follow-ups on
    active caseloads. Returns how many contacts were stored (one audit event for them)."""
    zone = ZoneInfo(site.time_zone)
    recorders = _recorders(site)
    enrollments = list(
        Enrollment.objects.filter(site=site).select_related("case_manager").order_by("pk")
    )

    def every_contact() -> Iterator[Contact]:
        for enrollment in enrollments:
            team = recorders.get(enrollment.provider_id)
            if not team:
                continue
            yield from _contacts_for(rng, enrollment, team, today, zone)

    stored = contacts_import(actor=None, site=site, contacts=every_contact())
    tasks = [
        Task(
            site_id=site.pk,
            enrollment_id=enrollment.pk,
            title=rng.choice(TASKS),
            due_on=today + timedelta(days=rng.randint(-3, 20)),
            created_by_id=enrollment.case_manager_id,
        )
        for enrollment in enrollments
        if enrollment.status == Enrollment.Status.ACTIVE
        and enrollment.case_manager_id is not None
        and rng.random() < 0.3
    ]
    with transaction.atomic():
        Task.objects.bulk_create(tasks)
        audit_record(
            actor=None,
            site=site,
            action="tasks.imported",
            category="casework",
            detail={"count": len(tasks)},
        )
    return stored
