"""Two years of referrals for a demo site, through every door its policy opened at the
time, each evaluated with the policy version then in force. Historical rows are written
directly (a demo of hundreds of referrals through every service would take minutes); the
few still open today go through the services, so pages and notifications are real."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.casework.models import Enrollment
from tandem.legal.models import DivertedChargeHold, HoldEvent
from tandem.people.models import Person
from tandem.policy.rules import Door, Facts, Outcome, PolicyRules, evaluate
from tandem.policy.selectors import policy_in_force, site_rules
from tandem.referrals.models import OnCallShift, Referral, ReferralEvent, Status
from tandem.tenancy.models import Membership, Organization, Site

PLACES = [
    "3rd Ave & Pike St",
    "Westlake Park",
    "Under the I-5 overpass",
    "Light-rail station, north entrance",
    "Corner store on 2nd Ave",
    "Library steps",
    "Bus shelter on Pine St",
    "Harbor Steps",
    "Encampment by the rail yard",
    "Parking lot behind the pharmacy",
]
DESCRIPTIONS = [
    "Woman in her 40s, red backpack, walks with a limp",
    "Young man, grey hoodie, sleeps by the library",
    "Older man with a shopping cart and a dog",
    "Tall man, green army jacket, usually near the bus shelter",
]
OTHER_OFFENCE = "RCW 9A.36.021"  # assault: never on a LEAD list, so an ineligible referral
DAYS = 730


def seed_referrals(*, rng: random.Random, site: Site, today: date, per_week: float = 4.0) -> int:
    """Referrals over the last two years at `site` (about `per_week` a week). Returns how
    many were written."""
    police = _members(site, (Role.POLICE_OFFICER, Role.POLICE_SERGEANT))
    team = _members(site, (Role.CASE_MANAGER, Role.OUTREACH_WORKER))
    approvers = {
        role: _members(site, (role,))
        for role in (Role.POLICE_SERGEANT, Role.PROJECT_MANAGER, Role.PROSECUTOR)
    }
    if not police or not team:
        return 0
    people = list(Person.objects.filter(site=site, merged_into__isnull=True).exclude(given_name=""))
    enrolled = {
        e.person_id: e for e in Enrollment.objects.filter(site=site).select_related("person")
    }
    prosecutor = Organization.objects.filter(site=site, kind=Organization.Kind.PROSECUTOR).first()
    count = int(DAYS / 7 * per_week)
    referrals: list[Referral] = []
    holds: list[tuple[Referral, DivertedChargeHold]] = []
    for _ in range(count):
        occurred_on = today - timedelta(days=rng.randint(22, DAYS))
        version = policy_in_force(site.pk, occurred_on)
        if version is None:
            continue
        rules = version.policy_rules
        door = _door(rng, rules)
        if door is None:
            continue
        referral = _referral(rng, site, rules, door, occurred_on, police, people)
        facts = _facts(rng, rules, door, referral, occurred_on)
        evaluation = evaluate(rules, facts)
        referral.facts = facts.to_dict()
        referral.evaluation = evaluation.to_dict()
        referral.policy_version = version
        _outcome(rng, referral, rules, evaluation.outcome, approvers, team, enrolled)
        referrals.append(referral)
        if (
            referral.door == Door.ARREST
            and referral.person is not None
            and referral.decided_at is not None
            and referral.status in {Status.ENROLLED, Status.EXPIRED, Status.DECLINED_BY_PERSON}
            and prosecutor is not None
        ):
            holds.append((referral, _hold(referral, prosecutor, facts, rules)))
    DivertedChargeHold.objects.bulk_create([hold for _, hold in holds])
    for referral, hold in holds:
        referral.hold = hold
    Referral.objects.bulk_create(referrals)
    HoldEvent.objects.bulk_create(
        HoldEvent(
            hold=hold,
            kind=HoldEvent.Kind.CREATED,
            at=referral.decided_at or referral.occurred_at,
            to_date=hold.deadline,
        )
        for referral, hold in holds
    )
    ReferralEvent.objects.bulk_create(_events(referrals))
    return len(referrals)


def _members(site: Site, roles: tuple[Role, ...]) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(site=site, role__in=roles, is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _door(rng: random.Random, rules: PolicyRules) -> str | None:
    doors = [
        (Door.ARREST.value, 35),
        (Door.SOCIAL_CONTACT.value, 45),
        (Door.COMMUNITY.value, 20),
    ]
    open_doors = [(door, weight) for door, weight in doors if rules.door_open(door)]
    if not open_doors:
        return None
    return rng.choices([d for d, _ in open_doors], weights=[w for _, w in open_doors], k=1)[0]


def _moment(rng: random.Random, on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(rng.randint(7, 22), rng.randint(0, 59))))


def _referral(
    rng: random.Random,
    site: Site,
    rules: PolicyRules,
    door: str,
    on: date,
    police: list[User],
    people: list[Person],
) -> Referral:
    occurred_at = _moment(rng, on)
    referral = Referral(
        site=site, door=door, occurred_at=occurred_at, location_text=rng.choice(PLACES)
    )
    if door == Door.COMMUNITY:
        referral.referrer_role = "community"
        referral.referrer_name = rng.choice(
            ["Corner Market", "Pine St Pharmacy", "A neighbour", "Harbor Church"]
        )
        referral.referrer_contact = f"555-01{rng.randint(10, 99)}"
        referral.referrer_relationship = rng.choice(["Business", "Resident", "Service partner"])
        referral.observations = "Asked us to connect them with help; often outside our door."
    else:
        officer = rng.choice(police)
        membership = officer.memberships.filter(site=site).first()
        referral.referrer = officer
        referral.referrer_organization_id = membership.organization_id if membership else None
        referral.referrer_role = membership.role if membership else ""
        referral.observations = rng.choice(
            ["", "Calm and cooperative.", "Said they want help with housing."]
        )
        referral.handoff_requested_at = occurred_at + timedelta(minutes=rng.randint(1, 4))
    known = door == Door.ARREST or rng.random() < 0.75
    if known and people:
        person = rng.choice(people)
        referral.person = person
        referral.given_name = person.given_name
        referral.family_name = person.family_name
        referral.date_of_birth = person.date_of_birth
    else:
        referral.description = rng.choice(DESCRIPTIONS)
        referral.approximate_age = rng.randint(22, 65)
    return referral


def _facts(
    rng: random.Random, rules: PolicyRules, door: str, referral: Referral, on: date
) -> Facts:
    offences = list(rules.eligible_offences)
    if offences and rng.random() < 0.93:
        offence = rng.choice(offences)
        code = offence.code
        drug = offence.is_drug
    else:
        code, drug = OTHER_OFFENCE, False
    substance = form = None
    grams = None
    if drug and rules.quantity_limits:
        limit = rng.choice(rules.quantity_limits)
        substance = limit.substance
        form = None if limit.form == "any" else limit.form
        grams = (limit.max_grams * Decimal(rng.uniform(0.1, 1.3))).quantize(Decimal("0.1"))
    born = referral.date_of_birth
    age = (on.year - born.year) if born else referral.approximate_age

    def answer(yes_share: float) -> bool:
        return rng.random() < yes_share

    return Facts(
        decided_on=on,
        door=door,
        offence_codes=(code,),
        substance=substance,
        form=form,
        quantity_grams=grams,
        dealing_for_profit=answer(0.05),
        age=age,
        history=() if rng.random() < 0.9 else None,
        on_active_supervision=answer(0.06),
        in_treatment_court=answer(0.02),
        protective_order=answer(0.03),
        no_contact_with_participant=answer(0.02),
        area=rng.choice(rules.catchment_areas) if rules.catchment_areas else None,
        complainant_consents=True,
        confidential_informant=False,
    )


def _outcome(
    rng: random.Random,
    referral: Referral,
    rules: PolicyRules,
    outcome: Outcome,
    approvers: dict[Role, list[User]],
    team: list[User],
    enrolled: dict[int, Enrollment],
) -> None:
    start = referral.occurred_at
    if referral.handoff_requested_at is not None and outcome != Outcome.INELIGIBLE:
        case_manager = rng.choice(team)
        referral.handoff_accepted_at = referral.handoff_requested_at + timedelta(
            minutes=rng.randint(1, 9)
        )
        referral.handoff_accepted_by = case_manager
        referral.case_manager = case_manager
        if referral.door == Door.ARREST:
            # Most arrive within the 30-minute target; some do not.
            referral.case_manager_arrived_at = referral.handoff_requested_at + timedelta(
                minutes=int(rng.triangular(8, 70, 22))
            )
            referral.handoff_done_at = referral.case_manager_arrived_at + timedelta(
                minutes=rng.randint(5, 25)
            )
    if outcome == Outcome.INELIGIBLE:
        referral.status = Status.INELIGIBLE
        referral.closed_at = start
        return
    deciders = [u for role in rules.approver_roles for u in approvers.get(Role(role), [])]
    decider = rng.choice(deciders) if deciders else None
    referral.decided_by = decider
    referral.decided_at = start + timedelta(hours=rng.randint(1, 48))
    if rng.random() < 0.1:
        referral.status = Status.DECLINED
        referral.decision_reason = rng.choice(
            [
                "Open case for a violent offence",
                "Outside the catchment after all",
                "Better served by the mental-health court",
            ]
        )
        referral.closed_at = referral.decided_at
        return
    if outcome == Outcome.NEEDS_REVIEW:
        referral.decision_reason = "Checked the record: nothing disqualifying."
    referral.intake_due_on = referral.decided_at.date() + timedelta(days=rules.intake_deadline_days)
    referral.case_manager = referral.case_manager or rng.choice(team)
    roll = rng.random()
    person_id = referral.person.pk if referral.person is not None else None
    if person_id in enrolled and roll < 0.85:
        referral.status = Status.ENROLLED
        referral.enrollment = enrolled[person_id]
        referral.closed_at = referral.decided_at + timedelta(
            days=rng.randint(1, rules.intake_deadline_days)
        )
    elif roll < 0.55:
        referral.status = Status.DECLINED_BY_PERSON
        referral.closed_at = referral.decided_at + timedelta(days=rng.randint(0, 10))
    else:
        referral.status = Status.EXPIRED
        referral.closed_at = timezone.make_aware(
            datetime.combine(referral.intake_due_on + timedelta(days=1), time(6))
        )


def _hold(
    referral: Referral, prosecutor: Organization, facts: Facts, rules: PolicyRules
) -> DivertedChargeHold:
    offence = rules.offence(facts.offence_codes[0])
    enrolled = referral.status == Status.ENROLLED
    closed = referral.closed_at or referral.occurred_at
    assert referral.person is not None
    assert referral.intake_due_on is not None
    return DivertedChargeHold(
        site=referral.site,
        person=referral.person,
        prosecutor_organization=prosecutor,
        case_manager=referral.case_manager,
        charge_summary=f"{offence.code} · {offence.label}" if offence else facts.offence_codes[0],
        incident_on=referral.occurred_at.date(),
        deadline=referral.intake_due_on,
        intake_completed_on=closed.date() if enrolled else None,
        disposition="declined" if enrolled else "filed",
        disposition_reason="Intake completed; charge declined."
        if enrolled
        else "No intake by the deadline.",
        disposed_at=closed + timedelta(days=1),
    )


def _events(referrals: list[Referral]) -> list[ReferralEvent]:
    events = []
    for referral in referrals:
        events.append(
            ReferralEvent(
                referral=referral,
                kind="submitted",
                to_status=Status.SUBMITTED,
                at=referral.occurred_at,
                by=referral.referrer,
                by_label=referral.referrer_name
                or (referral.referrer.get_username() if referral.referrer else ""),
            )
        )
        if referral.status != Status.SUBMITTED:
            events.append(
                ReferralEvent(
                    referral=referral,
                    kind="closed" if referral.closed_at else "decided",
                    from_status=Status.SUBMITTED,
                    to_status=referral.status,
                    at=referral.closed_at or referral.decided_at or referral.occurred_at,
                    by=referral.decided_by,
                    by_label=referral.decided_by.get_username()
                    if referral.decided_by
                    else "Tandem",
                    reason=referral.decision_reason,
                )
            )
    return events


def seed_on_call(*, site: Site, now: datetime, days: int = 14) -> int:
    """Twelve-hour on-call shifts at the site's first provider, from yesterday for `days`
    days, rotating among its case managers; the first demo case manager is on call now."""
    provider = (
        Organization.objects.filter(site=site, kind=Organization.Kind.CASE_MANAGEMENT)
        .order_by("pk")
        .first()
    )
    if provider is None:
        return 0
    staff = [
        m.user
        for m in Membership.objects.filter(
            organization=provider,
            role__in=[Role.CASE_MANAGER, Role.OUTREACH_WORKER],
            is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ]
    if not staff:
        return 0
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    shifts = [
        OnCallShift(
            site=site,
            provider=provider,
            user=staff[index % len(staff)],
            starts_at=first + timedelta(hours=12 * index),
            ends_at=first + timedelta(hours=12 * (index + 1)),
        )
        for index in range(days * 2)
    ]
    OnCallShift.objects.bulk_create(shifts)
    return len(shifts)


def seed_current(*, site: Site, today: date) -> int:
    """A few referrals made just now through the services, so the demo opens with work
    waiting: a page for the on-call case manager, a decision for the approver, a charge
    held with the prosecutor, and a community referral from the public form."""
    from tandem.access.viewer import Viewer
    from tandem.referrals import services

    officer = _first(site, Role.POLICE_OFFICER)
    sergeant = _first(site, Role.POLICE_SERGEANT)
    if officer is None:
        return 0
    rules, _ = site_rules(site.pk, timezone.localdate())
    drug = next((o for o in rules.eligible_offences if o.is_drug), None)
    other = next((o for o in rules.eligible_offences if not o.is_drug), drug)
    if drug is None or other is None:
        return 0
    limit = rules.quantity_limits[0] if rules.quantity_limits else None
    officer_viewer = Viewer.from_membership(
        officer.memberships.select_related("organization", "user").get(site=site)
    )
    made = 0

    def refer(
        door: str, given: str, family: str, born: date | None, offence: str, minutes_ago: int
    ) -> Referral:
        return services.referral_submit(
            actor=officer,
            viewer=officer_viewer,
            door=door,
            subject=services.Subject(given_name=given, family_name=family, date_of_birth=born),
            conduct=services.Conduct(
                offence_codes=(offence,),
                substance=limit.substance if limit and offence == drug.code else "",
                form="" if not limit or limit.form == "any" else limit.form,
                quantity_grams=Decimal("0.8") if offence == drug.code else None,
                dealing_for_profit=False,
                area=rules.catchment_areas[0] if rules.catchment_areas else "",
            ),
            occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
            location_text=PLACES[made % len(PLACES)],
            observations="Agreed to talk with a case manager.",
        )

    refer(Door.ARREST, "Dominic", "Reyes", date(1988, 3, 14), drug.code, 6)
    made += 1
    refer(Door.SOCIAL_CONTACT, "Tanya", "Booker", date(1979, 11, 2), other.code, 90)
    made += 1
    if sergeant is not None and rules.door_open(Door.ARREST):
        held = refer(Door.ARREST, "Curtis", "Lamb", date(1991, 7, 30), drug.code, 60 * 26)
        made += 1
        sergeant_viewer = Viewer.from_membership(
            sergeant.memberships.select_related("organization", "user").get(site=site)
        )
        if sergeant.memberships.filter(site=site, role__in=rules.approver_roles).exists():
            services.referral_decide(
                actor=sergeant,
                viewer=sergeant_viewer,
                referral=held,
                approve=True,
                reason="Checked the record at the precinct: nothing disqualifying.",
            )
    if rules.door_open(Door.COMMUNITY) and services.community_door_open(site.pk):
        services.referral_submit_public(
            site=site,
            client_digest=services.public_client_digest("demo"),
            referrer_name="Pine St Pharmacy",
            referrer_contact="555-0123",
            referrer_relationship="Business",
            subject=services.Subject(description="Woman in her 30s with a blue sleeping bag"),
            location_text="Doorway of the pharmacy on Pine St",
            what_happened=(
                "Sleeps in our doorway most nights; seems unwell. We would like her to get help."
            ),
        )
        made += 1
    return made


def _first(site: Site, role: Role) -> User | None:
    membership = (
        Membership.objects.filter(site=site, role=role, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None
