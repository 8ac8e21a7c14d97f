"""Two years of casework support for a demo site: a service directory, each provider's
funding sources, and for every enrolled participant a plan (goals in their words, steps,
progress notes, with some achieved and some set aside), service links, flexible-fund
expenses and outcome snapshots from intake on. Some of the contacts tandem.casework.demo
wrote touch the participant's goals and follow up their service links.

Like the referrals' demo, the history is written directly with bulk inserts (hundreds of
participants through every service would take minutes) and dated when it happened; nothing
here is read back by a service, so the rules the services keep are kept here by
construction: expenses never overdraw their source, goals are never failed, and a snapshot
is taken only when something changed."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from tandem.access.roles import Role
from tandem.casework.models import Contact, Enrollment
from tandem.casework.support.domains import (
    DOMAIN_CATEGORY,
    EmploymentStatus,
    HousingStatus,
    Insurance,
    Moud,
)
from tandem.casework.support.models import (
    ContactGoal,
    ContactServiceLink,
    Expense,
    FundingSource,
    Goal,
    OutcomeSnapshot,
    Plan,
    PlanEvent,
    ProgressNote,
    ServiceLink,
    ServiceLinkEvent,
    ServiceProvider,
    Step,
    service_category,
)
from tandem.casework.support.outcomes import Outcomes
from tandem.tenancy.models import Membership, Organization, Site

DIRECTORY = [
    ("Harbor Housing Authority", ["housing"], "555-0301"),
    ("Pier Street Shelter", ["shelter", "food"], "555-0302"),
    ("Evergreen Recovery Clinic", ["substance_use_treatment", "moud"], "555-0303"),
    ("Northgate Community Health", ["medical", "mental_health"], "555-0304"),
    ("County Benefits Office", ["benefits"], "555-0305"),
    ("Vital Records Desk", ["id_documents"], "555-0306"),
    ("Harbor Legal Aid", ["civil_legal"], "555-0307"),
    ("Second Chance Jobs", ["employment", "education"], "555-0308"),
    ("Lifeline Phones", ["phone"], "555-0309"),
    ("Transit Reduced Fare Office", ["transport"], "555-0310"),
]
GOALS = {
    "housing": ["A place of my own", "Get off the street before winter", "Stay in my room"],
    "income": ["Get my SSI back", "Have money for food every week"],
    "id_documents": ["Get my ID so I can get a job", "Replace my birth certificate"],
    "legal": ["Clear my warrants", "Make my court dates"],
    "physical_health": ["Get my foot looked at", "See a dentist"],
    "mental_health": ["Sleep through the night", "Talk to somebody regularly"],
    "substance_use": ["Use less", "Start on suboxone", "Stay on my methadone"],
    "family": ["See my daughter again", "Call my mom on her birthday"],
    "employment": ["Work, even part time", "Get my forklift certificate"],
    "education": ["Finish my GED"],
}
STEPS = [
    ("Call the intake line together", "together"),
    ("Bring the paperwork to the office", "participant"),
    ("Book the appointment", "case_manager"),
    ("Ride along to the first visit", "case_manager"),
    ("Fill in the application", "together"),
]
NOTES = [
    "Talked it through at the library; wants to keep going.",
    "Missed the appointment, rebooked for next week.",
    "Went together; went better than expected.",
    "Not a priority right now: housing first.",
    "Proud of this one.",
]
SERVICE_FOR_DOMAIN = {
    "housing": "housing",
    "income": "benefits",
    "id_documents": "id_documents",
    "legal": "civil_legal",
    "physical_health": "medical",
    "mental_health": "mental_health",
    "substance_use": "substance_use_treatment",
    "employment": "employment",
    "education": "education",
}
VENDORS = {
    "motel": ["Harbor Inn", "Seaside Motel"],
    "food": ["Corner Grocery", "Pike Market"],
    "transport": ["Harbor Transit"],
    "phone": ["Lifeline Phones"],
    "id_documents": ["State Licensing"],
    "clothing": ["Goodwill on 3rd"],
    "hygiene": ["Harbor Pharmacy"],
}
AMOUNTS = {
    "motel": (60, 95),
    "food": (15, 60),
    "transport": (3, 40),
    "phone": (20, 45),
    "id_documents": (20, 54),
    "clothing": (15, 80),
    "hygiene": (5, 30),
}
HOUSING_PATH = [
    HousingStatus.UNSHELTERED,
    HousingStatus.EMERGENCY_SHELTER,
    HousingStatus.TEMPORARY,
    HousingStatus.PERMANENT,
]
EMPLOYMENT_PATH = [
    EmploymentStatus.NOT_LOOKING,
    EmploymentStatus.LOOKING,
    EmploymentStatus.TRAINING,
    EmploymentStatus.PART_TIME,
    EmploymentStatus.FULL_TIME,
]
DAYS = 730


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18), 0)))


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def seed_support(*, rng: random.Random, site: Site, today: dt.date) -> int:
    """Casework support for every enrollment of `site` (its history up to `today`).
    Returns how many participants got a plan."""
    providers = list(Organization.objects.filter(site=site, kind=Organization.Kind.CASE_MANAGEMENT))
    directory = _directory(site)
    sources = _sources(site, providers, today)
    staff = _staff(site)
    enrollments = list(
        Enrollment.objects.filter(site=site).select_related("provider").order_by("pk")
    )
    committed: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    plans: list[Plan] = []
    for enrollment in enrollments:
        plans.append(Plan(site=site, person_id=enrollment.person_id, enrollment=enrollment))
    Plan.objects.bulk_create(plans)
    goal_rows: list[tuple[Goal, Enrollment]] = []
    for plan, enrollment in zip(plans, enrollments, strict=True):
        start = max(enrollment.enrolled_on, today - dt.timedelta(days=DAYS))
        for domain in rng.sample(sorted(GOALS), k=rng.randint(1, 4)):
            status = rng.choices(["working_on", "achieved", "set_aside"], weights=[6, 3, 1])[0]
            goal_rows.append(
                (
                    Goal(
                        plan=plan,
                        domain=domain,
                        category=DOMAIN_CATEGORY[domain],
                        words=rng.choice(GOALS[domain]),
                        status=status,
                        status_changed_on=start
                        if status == "working_on"
                        else _day_between(rng, start, today),
                        recorded_by_organization_id=enrollment.provider_id,
                    ),
                    enrollment,
                )
            )
    Goal.objects.bulk_create([goal for goal, _ in goal_rows])
    steps, notes, events = _plan_history(rng, goal_rows, staff, today)
    Step.objects.bulk_create(steps)
    ProgressNote.objects.bulk_create(notes)
    PlanEvent.objects.bulk_create(events)
    links = _links(rng, site, goal_rows, directory, staff, today)
    _expenses(rng, site, enrollments, sources, committed, staff, today)
    _snapshots(rng, site, enrollments, staff, today)
    # Last, so that everything above stays as it was for the same generator.
    _contacts_touched(rng, site, goal_rows, links)
    return len(plans)


def _directory(site: Site) -> dict[str, list[ServiceProvider]]:
    rows = ServiceProvider.objects.bulk_create(
        ServiceProvider(site=site, name=name, service_types=types, phone=phone)
        for name, types, phone in DIRECTORY
    )
    by_type: dict[str, list[ServiceProvider]] = defaultdict(list)
    for row in rows:
        for service_type in row.service_types:
            by_type[service_type].append(row)
    return by_type


def _sources(
    site: Site, providers: list[Organization], today: dt.date
) -> dict[int, list[FundingSource]]:
    """Each provider: last year's and this year's city flex fund, and a smaller opioid
    settlement grant for this year."""
    rows = []
    year_ago = today - dt.timedelta(days=365)
    for provider in providers:
        rows += [
            FundingSource(
                site=site,
                organization=provider,
                name=f"City flex fund {year_ago.year}",
                funder="City of Harbor",
                budget=Decimal("30000.00"),
                starts_on=today - dt.timedelta(days=DAYS),
                ends_on=year_ago,
                approval_threshold=Decimal("250.00"),
                is_active=False,
            ),
            FundingSource(
                site=site,
                organization=provider,
                name=f"City flex fund {today.year}",
                funder="City of Harbor",
                budget=Decimal("30000.00"),
                starts_on=year_ago + dt.timedelta(days=1),
                ends_on=today + dt.timedelta(days=60),
                approval_threshold=Decimal("250.00"),
            ),
            FundingSource(
                site=site,
                organization=provider,
                name="Opioid settlement stabilisation",
                funder="County opioid settlement",
                budget=Decimal("8000.00"),
                starts_on=year_ago + dt.timedelta(days=1),
                ends_on=today + dt.timedelta(days=60),
                approval_threshold=Decimal("150.00"),
            ),
        ]
    created = FundingSource.objects.bulk_create(rows)
    by_provider: dict[int, list[FundingSource]] = defaultdict(list)
    for source in created:
        by_provider[source.organization_id].append(source)
    return by_provider


def _staff(site: Site) -> dict[int, list[int]]:
    """Case-management user ids by provider."""
    staff: dict[int, list[int]] = defaultdict(list)
    for organization_id, user_id in Membership.objects.filter(
        site=site,
        role__in=[Role.CASE_MANAGER, Role.OUTREACH_WORKER, Role.CM_SUPERVISOR],
        is_active=True,
    ).values_list("organization_id", "user_id"):
        staff[organization_id].append(user_id)
    return staff


def _plan_history(
    rng: random.Random,
    goal_rows: list[tuple[Goal, Enrollment]],
    staff: dict[int, list[int]],
    today: dt.date,
) -> tuple[list[Step], list[ProgressNote], list[PlanEvent]]:
    steps, notes, events = [], [], []
    for goal, enrollment in goal_rows:
        provider = enrollment.provider_id
        by = rng.choice(staff[provider]) if staff.get(provider) else None
        added = max(enrollment.enrolled_on, today - dt.timedelta(days=DAYS))
        common = {
            "plan_id": goal.plan_id,
            "person_id": enrollment.person_id,
            "goal": goal,
            "category": goal.category,
            "by_id": by,
            "by_organization_id": provider,
        }
        events.append(
            PlanEvent(kind="goal_added", after=goal.words, at=_moment(rng, added), **common)
        )
        for text, who in rng.sample(STEPS, k=rng.randint(0, 3)):
            done = rng.random() < 0.5
            on = _day_between(rng, added, today)
            steps.append(
                Step(goal=goal, text=text, who=who, done_on=on if done else None, created_by_id=by)
            )
            events.append(
                PlanEvent(kind="step_added", after=text, at=_moment(rng, added), **common)
            )
        for _ in range(rng.randint(0, 3)):
            at = _moment(rng, _day_between(rng, added, today))
            text = rng.choice(NOTES)
            notes.append(
                ProgressNote(
                    goal=goal,
                    text=text,
                    written_at=at,
                    written_by_id=by,
                    written_by_organization_id=provider,
                )
            )
            events.append(PlanEvent(kind="note_added", after=text, at=at, **common))
        if goal.status != "working_on":
            events.append(
                PlanEvent(
                    kind="goal_status",
                    before="Working on",
                    after=goal.get_status_display(),
                    at=_moment(rng, max(goal.status_changed_on, added)),
                    **common,
                )
            )
    return steps, notes, events


def _links(
    rng: random.Random,
    site: Site,
    goal_rows: list[tuple[Goal, Enrollment]],
    directory: dict[str, list[ServiceProvider]],
    staff: dict[int, list[int]],
    today: dt.date,
) -> list[ServiceLink]:
    links, history = [], []
    for goal, enrollment in goal_rows:
        service_type = SERVICE_FOR_DOMAIN.get(goal.domain)
        if service_type is None or not directory.get(service_type) or rng.random() < 0.4:
            continue
        referred = _day_between(rng, max(enrollment.enrolled_on, today - dt.timedelta(DAYS)), today)
        path = rng.choice(
            [
                ["referred"],
                ["referred", "connected"],
                ["referred", "connected", "completed"],
                ["referred", "declined"],
            ]
        )
        days = [referred]
        for _ in path[1:]:
            days.append(_day_between(rng, days[-1], min(today, days[-1] + dt.timedelta(60))))
        outcome = {
            "completed": "Done: the participant says it helped.",
            "declined": "The participant chose not to go on.",
            "connected": "First appointment kept.",
        }.get(path[-1], "")
        link = ServiceLink(
            site=site,
            person_id=enrollment.person_id,
            enrollment=enrollment,
            service_provider=rng.choice(directory[service_type]),
            service_type=service_type,
            category=service_category(service_type),
            status=path[-1],
            status_on=days[-1],
            referred_on=referred,
            outcome=outcome,
            recorded_by_organization_id=enrollment.provider_id,
        )
        links.append(link)
        by = (
            rng.choice(staff[enrollment.provider_id]) if staff.get(enrollment.provider_id) else None
        )
        for index, (status, on) in enumerate(zip(path, days, strict=True)):
            history.append(
                ServiceLinkEvent(
                    link=link,
                    from_status=path[index - 1] if index else "",
                    to_status=status,
                    on=on,
                    outcome=outcome if index == len(path) - 1 else "",
                    at=_moment(rng, on),
                    by_id=by,
                )
            )
    ServiceLink.objects.bulk_create(links)
    ServiceLinkEvent.objects.bulk_create(history)
    return links


def _contacts_touched(
    rng: random.Random,
    site: Site,
    goal_rows: list[tuple[Goal, Enrollment]],
    links: list[ServiceLink],
) -> None:
    """Some substantive contacts (tandem.casework.demo wrote them already) touch one of the
    participant's goals, worked on at the time, or follow up a service link open then."""
    goals: dict[int, list[Goal]] = defaultdict(list)
    for goal, enrollment in goal_rows:
        goals[enrollment.pk].append(goal)
    open_links: dict[int, list[ServiceLink]] = defaultdict(list)
    for link in links:
        open_links[link.enrollment_id].append(link)
    touched_goals: list[ContactGoal] = []
    touched_links: list[ContactServiceLink] = []
    contacts = (
        Contact.objects.filter(site=site, kind=Contact.Kind.SUBSTANTIVE, removed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "enrollment_id", "at")
    )
    for contact_id, enrollment_id, at in contacts.iterator(chunk_size=5000):
        day = timezone.localtime(at).date()
        current = [
            goal
            for goal in goals.get(enrollment_id, ())
            if goal.status == Goal.Status.WORKING_ON or day <= goal.status_changed_on
        ]
        if current and rng.random() < 0.5:
            touched_goals.append(ContactGoal(contact_id=contact_id, goal=rng.choice(current)))
        following = [
            link
            for link in open_links.get(enrollment_id, ())
            if link.referred_on <= day
            and (link.status not in ("completed", "declined") or day <= link.status_on)
        ]
        if following and rng.random() < 0.25:
            touched_links.append(
                ContactServiceLink(contact_id=contact_id, link=rng.choice(following))
            )
    ContactGoal.objects.bulk_create(touched_goals, batch_size=5000)
    ContactServiceLink.objects.bulk_create(touched_links, batch_size=5000)


def _expenses(
    rng: random.Random,
    site: Site,
    enrollments: list[Enrollment],
    sources: dict[int, list[FundingSource]],
    committed: dict[int, Decimal],
    staff: dict[int, list[int]],
    today: dt.date,
) -> None:
    rows = []
    for enrollment in enrollments:
        for _ in range(rng.randint(0, 5)):
            category = rng.choice(sorted(AMOUNTS))
            low, high = AMOUNTS[category]
            amount = Decimal(rng.randint(low * 100, high * 100)) / 100
            nights = rng.randint(1, 4) if category == "motel" else 1
            amount = (amount * nights).quantize(Decimal("0.01"))
            start = max(enrollment.enrolled_on, today - dt.timedelta(days=DAYS))
            spent_on = _day_between(rng, start, today)
            fitting = [
                s
                for s in sources.get(enrollment.provider_id, [])
                if s.starts_on <= spent_on <= s.ends_on and committed[s.pk] + amount <= s.budget
            ]
            if not fitting:
                continue
            source = rng.choice(fitting)
            committed[source.pk] += amount
            needs_approval = amount > source.approval_threshold
            by = (
                rng.choice(staff[enrollment.provider_id])
                if staff.get(enrollment.provider_id)
                else None
            )
            rows.append(
                Expense(
                    site=site,
                    person_id=enrollment.person_id,
                    enrollment=enrollment,
                    funding_source=source,
                    category=category,
                    amount=amount,
                    vendor=rng.choice(VENDORS[category]),
                    spent_on=spent_on,
                    description=f"{nights} nights" if category == "motel" else "",
                    status=Expense.Status.APPROVED,
                    recorded_by_id=by,
                    recorded_by_organization_id=enrollment.provider_id,
                    decided_at=_moment(rng, spent_on) if needs_approval else None,
                    decision_reason="Approved by the supervisor." if needs_approval else "",
                )
            )
    Expense.objects.bulk_create(rows)


def _snapshots(
    rng: random.Random,
    site: Site,
    enrollments: list[Enrollment],
    staff: dict[int, list[int]],
    today: dt.date,
) -> None:
    """A baseline at intake, then a snapshot at each change: most participants move a step
    or two along housing and employment; some go back (change is not linear)."""
    rows = []
    for enrollment in enrollments:
        taken_on = max(enrollment.enrolled_on, today - dt.timedelta(days=DAYS))
        housing = rng.choices(range(4), weights=[6, 3, 2, 1])[0]
        employment = rng.choices(range(5), weights=[5, 3, 1, 1, 0])[0]
        state = {
            "housing_status": HOUSING_PATH[housing],
            "income_benefits": rng.choice([["none"], ["snap"], ["ssi_ssdi", "snap"], []]),
            "health_insurance": rng.choice([Insurance.NONE, Insurance.MEDICAID, Insurance.UNKNOWN]),
            "employment": EMPLOYMENT_PATH[employment],
            "moud": rng.choice([Moud.NOT_INDICATED, Moud.NO, Moud.YES]),
            "overdoses_90d": rng.choice([0, 0, 0, 1, 2, None]),
            "ed_visits_90d": rng.choice([0, 1, 2, 3, None]),
        }
        by = (
            rng.choice(staff[enrollment.provider_id]) if staff.get(enrollment.provider_id) else None
        )
        for index in range(rng.randint(1, 4)):
            if index:
                taken_on = taken_on + dt.timedelta(days=rng.randint(45, 200))
                if taken_on > today:
                    break
                housing = max(0, min(3, housing + rng.choice([1, 1, 1, -1])))
                employment = max(0, min(4, employment + rng.choice([1, 0, 1, -1])))
                state = {
                    **state,
                    "housing_status": HOUSING_PATH[housing],
                    "employment": EMPLOYMENT_PATH[employment],
                    "health_insurance": Insurance.MEDICAID,
                    "overdoses_90d": rng.choice([0, 0, 1]),
                    "ed_visits_90d": rng.choice([0, 0, 1, 2]),
                }
            rows.append(
                OutcomeSnapshot(
                    site=site,
                    person_id=enrollment.person_id,
                    enrollment=enrollment,
                    taken_on=taken_on,
                    source=OutcomeSnapshot.Source.INTAKE if index == 0 else "update",
                    recorded_by_id=by,
                    recorded_by_organization_id=enrollment.provider_id,
                    **state,
                )
            )
    OutcomeSnapshot.objects.bulk_create(_changed_only(rows))


def _changed_only(rows: list[OutcomeSnapshot]) -> list[OutcomeSnapshot]:
    """Drop a snapshot that says what the one before it said."""
    kept: list[OutcomeSnapshot] = []
    for row in rows:
        previous = kept[-1] if kept and kept[-1].person_id == row.person_id else None
        if previous is not None and Outcomes.from_snapshot(previous) == Outcomes.from_snapshot(row):
            continue
        kept.append(row)
    return kept
