"""A fictional LEAD site for trials and tests. Everything here is invented; the same seed and
the same reference date always give the same data."""

from __future__ import annotations

import base64
import io
import math
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from PIL import Image, ImageDraw

from tandem.access.roles import Category, Role
from tandem.accounts.models import User
from tandem.accounts.services import user_create
from tandem.casework.demo import demo_history, seed_casework
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_create
from tandem.casework.support.demo import seed_support
from tandem.consent.models import Consent
from tandem.consent.services import GrantInput, consent_record, consent_revoke
from tandem.matching.services import duplicates_scan
from tandem.people.models import RACE_CHOICES, Identifier, Person, PersonName
from tandem.people.services import IdentifierInput, NameInput, person_create
from tandem.policy.demo import seed_policies
from tandem.referrals.demo import seed_current, seed_on_call, seed_referrals
from tandem.tenancy.models import Membership, Organization, Site
from tandem.tenancy.services import membership_create, organization_create, site_create

DEMO_PASSWORD = "walk-beside-me-2026"
# Shares of the demo people enrolled with each provider (see _maybe_enroll), and the caseload
# the demo aims at.
BRIDGEWAY_SHARE = 0.55
NORTHSIDE_SHARE = 0.15
TARGET_CASELOAD = 14
EXTRA_CASE_MANAGER = re.compile(r"^(bridgeway|northside)-cm-\d+$")
DEMO_SITE_SLUG = "harbor-city"
SECOND_SITE_SLUG = "riverside"
THIRD_SITE_SLUG = "cedar-county"

ORGANIZATIONS = [
    # (key, name, kind, part 2, on-call phone)
    ("police", "Harbor City Police Department", "police", False, ""),
    ("prosecutor", "Harbor County Prosecuting Attorney", "prosecutor", False, ""),
    ("defender", "Harbor County Public Defender", "defender", False, ""),
    ("bridgeway", "Bridgeway Case Management", "case_management", False, "555-0142"),
    ("northside", "Northside Recovery Services", "case_management", True, "555-0177"),
    ("project", "Harbor City LEAD Project Office", "project_office", False, ""),
    ("evaluation", "Harbor University Evaluation Team", "evaluation", False, ""),
    ("community", "Downtown Merchants Association", "community", False, ""),
    ("jail", "Harbor County Jail", "jail", False, ""),
    ("court", "Harbor Municipal Court", "court", False, ""),
    ("national", "LEAD National Support", "national", False, ""),
]

USERS = [
    # (username, first, last, role, organisation key)
    ("casemanager", "Alma", "Reyes", Role.CASE_MANAGER, "bridgeway"),
    ("supervisor", "Dana", "Whitfield", Role.CM_SUPERVISOR, "bridgeway"),
    ("outreach", "Marcus", "Bell", Role.OUTREACH_WORKER, "bridgeway"),
    ("northside-cm", "Priya", "Natarajan", Role.CASE_MANAGER, "northside"),
    ("projectmanager", "Ruth", "Okafor", Role.PROJECT_MANAGER, "project"),
    ("officer", "Sam", "Kowalski", Role.POLICE_OFFICER, "police"),
    ("sergeant", "Lena", "Ortiz", Role.POLICE_SERGEANT, "police"),
    ("prosecutor", "Glen", "Harper", Role.PROSECUTOR, "prosecutor"),
    ("defender", "Imani", "Brooks", Role.DEFENDER, "defender"),
    ("evaluator", "Tomás", "Lindqvist", Role.EVALUATOR, "evaluation"),
    ("pcg", "Council Member", "Avery", Role.PCG_MEMBER, "project"),
    ("siteadmin", "Jo", "Mensah", Role.SITE_ADMIN, "project"),
    ("national", "Kim", "Delacroix", Role.NATIONAL_SUPPORT, "national"),
]

GIVEN_NAMES = [
    ("Robert", "Bobby"),
    ("William", "Billy"),
    ("James", "Jimmy"),
    ("Michael", "Mikey"),
    ("Elizabeth", "Liz"),
    ("Katherine", "Kat"),
    ("Jennifer", "Jen"),
    ("Anthony", "Tony"),
    ("Christopher", "Chris"),
    ("Margaret", "Peggy"),
    ("Richard", "Rick"),
    ("Deborah", "Debbie"),
    ("Joseph", "Joe"),
    ("Patricia", "Trish"),
    ("Daniel", "Danny"),
    ("Theresa", "Terry"),
    ("Luis", ""),
    ("Marisol", ""),
    ("DeShawn", "Shawn"),
    ("Keisha", ""),
    ("Nguyen", ""),
    ("Tyrone", "Ty"),
    ("Samantha", "Sam"),
    ("Jesús", "Chuy"),
    ("Alejandra", "Ale"),
    ("Raymond", "Ray"),
    ("Donna", ""),
    ("Lakota", ""),
    ("Mei", ""),
    ("Francisco", "Pancho"),
]
FAMILY_NAMES = [
    "Johnson",
    "Martinez",
    "Williams",
    "Nguyen",
    "Brown",
    "Garcia",
    "Jones",
    "Thompson",
    "Begay",
    "Washington",
    "Lopez",
    "Kim",
    "Davis",
    "Hernandez",
    "Wilson",
    "Jackson",
    "Yazzie",
    "Moore",
    "Rodriguez",
    "Tran",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
]
STREET_NAMES = ["Red", "Slim", "Tex", "Doc", "Smiley", "Boots", "Lucky", "Sunny", "Dutch"]
DESCRIPTIONS = [
    "Man in his 40s, grey beard, often near the ferry terminal with a shopping cart.",
    "Woman in her 30s, red backpack, usually at the Fifth Street bus shelter.",
    "Older man with a cane, sleeps behind the library.",
]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    organization: str
    site: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool
    logins: list[DemoLogin]
    people: int
    extra_case_managers: int


def demo_logins() -> list[DemoLogin]:
    """The logins worth printing: one per role, not the extra case managers."""
    return [
        DemoLogin(m.user.username, m.get_role_display(), m.organization.name, m.site.name)
        for m in _demo_memberships()
        if not EXTRA_CASE_MANAGER.match(m.user.username)
    ]


def _extra_case_manager_count() -> int:
    return sum(1 for m in _demo_memberships() if EXTRA_CASE_MANAGER.match(m.user.username))


def _demo_memberships() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            site__slug__in=[DEMO_SITE_SLUG, SECOND_SITE_SLUG, THIRD_SITE_SLUG]
        )
        .select_related("user", "organization", "site")
        .order_by("pk")
    )


@transaction.atomic
def seed_demo(*, seed: int = 2011, people: int = 60, today: date | None = None) -> DemoResult:
    """Create the demo sites unless they exist. Idempotent: a second run changes nothing."""
    if Site.objects.filter(slug=DEMO_SITE_SLUG).exists():
        return DemoResult(
            False,
            demo_logins(),
            Person.objects.filter(site__slug=DEMO_SITE_SLUG).count(),
            _extra_case_manager_count(),
        )
    rng = random.Random(seed)  # noqa: S311  (synthetic data, not secrets)
    today = today or timezone.localdate()
    site = site_create(
        actor=None,
        name="Harbor City LEAD",
        slug=DEMO_SITE_SLUG,
        time_zone="America/Los_Angeles",
        stage=Site.Stage.OPERATING,
        shares_national_aggregates=True,
    )
    orgs = {
        key: organization_create(
            actor=None, site=site, name=name, kind=kind, is_part2_program=part2, on_call_phone=phone
        )
        for key, name, kind, part2, phone in ORGANIZATIONS
    }
    users: dict[str, User] = {}
    for username, first, last, role, org_key in USERS:
        user = _user(username, first, last)
        membership_create(actor=None, user=user, organization=orgs[org_key], role=role)
        users[username] = user

    second = site_create(
        actor=None,
        name="Riverside LEAD",
        slug=SECOND_SITE_SLUG,
        time_zone="America/Denver",
        stage=Site.Stage.PILOT,
    )
    second_provider = organization_create(
        actor=None,
        site=second,
        name="Riverside Outreach Collective",
        kind="case_management",
        on_call_phone="555-0190",
    )
    organization_create(actor=None, site=second, name="Riverside Police", kind="police")
    riverside_cm = _user("riverside-cm", "Noor", "Haddad")
    membership_create(
        actor=None, user=riverside_cm, organization=second_provider, role=Role.CASE_MANAGER
    )
    # A regional coordinator who works at both sites and switches between them.
    second_office = organization_create(
        actor=None, site=second, name="Riverside LEAD Project Office", kind="project_office"
    )
    membership_create(
        actor=None,
        user=users["projectmanager"],
        organization=second_office,
        role=Role.PROJECT_MANAGER,
    )

    # Enough case managers that caseloads stay near the LEAD model's 12-15 (DOMAIN.md §5).
    case_managers = {
        "bridgeway": [users["casemanager"], users["outreach"]],
        "northside": [users["northside-cm"]],
    }
    for key, share in (("bridgeway", BRIDGEWAY_SHARE), ("northside", NORTHSIDE_SHARE)):
        needed = math.ceil(people * share / TARGET_CASELOAD)
        for number in range(len(case_managers[key]) + 1, needed + 1):
            extra = _user(f"{key}-cm-{number}", "Case", f"Manager {number}")
            membership_create(
                actor=None, user=extra, organization=orgs[key], role=Role.CASE_MANAGER
            )
            case_managers[key].append(extra)
    caseloads: Counter[int] = Counter()
    for index in range(people):
        person = _person(rng, site, orgs, index)
        _maybe_enroll(rng, person, orgs, case_managers, caseloads, today)
    _releases(rng, site, orgs, today)
    _twins(rng, site, count=max(people // 15, 2))
    # The project manager's duplicate-review queue starts with the pairs the matcher finds.
    duplicates_scan(actor=None, site=site)
    # Each site's eligibility policy in the style of one real LEAD site (DOMAIN.md §4),
    # and two years of referrals through the doors it opened.
    seed_policies(site=site, style="seattle", today=today)
    seed_policies(site=second, style="santa_fe", today=today)
    _cedar_county(rng, users["projectmanager"], today)
    referral_rng = random.Random(seed + 1)  # noqa: S311  (synthetic data, not secrets)
    seed_referrals(rng=referral_rng, site=site, today=today)
    seed_on_call(site=site, now=timezone.now())
    seed_current(site=site, today=today)
    # Two years of casework: contacts, their notes and open follow-ups, then plans,
    # services, money and outcome snapshots.
    seed_casework(random.Random(seed + 2), site, today)  # noqa: S311  (synthetic data)
    seed_support(rng=random.Random(seed + 3), site=site, today=today)  # noqa: S311
    for index in range(max(people // 6, 3)):
        person = _person(rng, second, {"police": None}, index)
        if rng.random() < 0.6:
            enrollment_create(
                actor=None,
                person=person,
                provider=second_provider,
                case_manager=riverside_cm,
                enrolled_on=today - timedelta(days=rng.randint(10, 400)),
                last_substantive_contact_on=today - timedelta(days=rng.randint(0, 30)),
            )
    return DemoResult(True, demo_logins(), people, _extra_case_manager_count())


def _cedar_county(rng: random.Random, coordinator: User, today: date) -> None:
    """A third, smaller site with a Clackamas-style policy: a 14-day intake deadline and the
    deputy district attorney approving. The regional coordinator works here too."""
    site = site_create(
        actor=None,
        name="Cedar County LEAD",
        slug=THIRD_SITE_SLUG,
        time_zone="America/Los_Angeles",
        stage=Site.Stage.OPERATING,
    )
    orgs = {
        key: organization_create(actor=None, site=site, name=name, kind=kind, on_call_phone=phone)
        for key, name, kind, phone in (
            ("police", "Cedar County Sheriff's Office", "police", ""),
            ("prosecutor", "Cedar County District Attorney", "prosecutor", ""),
            ("provider", "Cedar Outreach Partners", "case_management", "555-0160"),
            ("project", "Cedar County LEAD Office", "project_office", ""),
        )
    }
    for username, first, last, role, key in (
        ("cedar-deputy", "Ray", "Dunmore", Role.POLICE_OFFICER, "police"),
        ("cedar-da", "Helen", "Park", Role.PROSECUTOR, "prosecutor"),
        ("cedar-cm", "Luz", "Ortega", Role.CASE_MANAGER, "provider"),
    ):
        membership_create(
            actor=None, user=_user(username, first, last), organization=orgs[key], role=role
        )
    membership_create(
        actor=None, user=coordinator, organization=orgs["project"], role=Role.PROJECT_MANAGER
    )
    for index in range(12):
        person = _person(rng, site, {"police": None}, 10_000 + index)
        if rng.random() < 0.6:
            enrollment_create(
                actor=None,
                person=person,
                provider=orgs["provider"],
                case_manager=None,
                enrolled_on=today - timedelta(days=rng.randint(20, 600)),
            )
    seed_policies(site=site, style="clackamas", today=today)
    seed_referrals(rng=rng, site=site, today=today, per_week=1.0)


def _user(username: str, first: str, last: str) -> User:
    return user_create(
        actor=None, username=username, first_name=first, last_name=last, password=DEMO_PASSWORD
    )


def _person(
    rng: random.Random, site: Site, orgs: Mapping[str, Organization | None], index: int
) -> Person:
    if rng.random() < 0.04:
        # Someone known only by sight, referred before anyone learned a name.
        return person_create(actor=None, site=site, description=rng.choice(DESCRIPTIONS))
    given, nickname = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    roll = rng.random()
    if roll < 0.2:
        dob, precision = None, Person.DobPrecision.UNKNOWN
    elif roll < 0.3:
        dob, precision = date(rng.randint(1955, 2004), 1, 1), Person.DobPrecision.YEAR
    else:
        dob = date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
        precision = Person.DobPrecision.EXACT
    names = []
    if nickname and rng.random() < 0.6:
        names.append(NameInput(PersonName.Kind.NICKNAME, given_name=nickname))
    if rng.random() < 0.25:
        names.append(
            NameInput(PersonName.Kind.ALIAS, given_name=given, family_name=rng.choice(FAMILY_NAMES))
        )
    if rng.random() < 0.15:
        names.append(NameInput(PersonName.Kind.NICKNAME, given_name=rng.choice(STREET_NAMES)))
    identifiers = []
    police = orgs.get("police")
    if rng.random() < 0.55:
        identifiers.append(
            IdentifierInput(Identifier.Kind.POLICE_ID, f"HPD-{_unique_number(index, 6)}", police)
        )
    if rng.random() < 0.3:
        identifiers.append(IdentifierInput(Identifier.Kind.HMIS, f"HMIS{_unique_number(index, 7)}"))
    race_roll = rng.random()
    if race_roll < 0.12:
        race = ["declined"]
    elif race_roll < 0.2:
        race = []
    else:
        choices = [key for key in RACE_CHOICES if key not in {"declined", "other"}]
        race = rng.sample(choices, k=2 if rng.random() < 0.1 else 1)
    return person_create(
        actor=None,
        site=site,
        given_name=given,
        family_name=family,
        preferred_name=nickname if nickname and rng.random() < 0.3 else "",
        date_of_birth=dob,
        dob_precision=precision,
        race=race,
        ethnicity=rng.choice(list(Person.Ethnicity.values)),
        gender=rng.choices(list(Person.Gender.values), weights=[30, 50, 3, 2, 2, 1, 8, 4], k=1)[0],
        names=names,
        identifiers=identifiers,
    )


def _releases(
    rng: random.Random, site: Site, orgs: Mapping[str, Organization], today: date
) -> None:
    """Releases of information for about half of Bridgeway's open enrollments: the police
    may confirm enrollment, the prosecutor and the defender also see legal matters. Some
    have expired or been revoked, as on a real site."""
    held = (
        Enrollment.objects.filter(site=site, provider=orgs["bridgeway"])
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("person", "case_manager")
        .order_by("pk")
    )
    legal = frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL})
    for enrollment in held:
        if rng.random() > 0.5:
            continue
        person = enrollment.person
        effective = today - timedelta(days=rng.randint(20, 500))
        consent = consent_record(
            actor=enrollment.case_manager,
            person=person,
            recorded_by_organization=orgs["bridgeway"],
            grants=[
                GrantInput(orgs["police"], frozenset({Category.ENROLLMENT})),
                GrantInput(orgs["prosecutor"], legal),
                GrantInput(orgs["defender"], legal),
            ],
            purpose=Consent.PurposeChoice.CARE_COORDINATION,
            purpose_text="Coordinate services, court dates and police contacts.",
            effective_on=effective,
            expires_on=None,
            signed_name=person.display_name,
            signature_drawn=DEMO_SIGNATURE,
        )
        if rng.random() < 0.1:
            consent_revoke(
                actor=enrollment.case_manager,
                consent=consent,
                organization=orgs["police"],
                reason="The participant asked that the police no longer be told.",
            )


def _demo_signature() -> str:
    """A drawn signature as the signature pad sends it: one stroke, as a PNG data URL."""
    image = Image.new("RGBA", (240, 60), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((10, 40, 80, 15, 150, 45, 230, 20), fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


DEMO_SIGNATURE = _demo_signature()


def _twins(rng: random.Random, site: Site, *, count: int) -> None:
    """People entered a second time by someone who did not search first: a nickname for the
    given name, day and month of birth swapped where that is still a date, no identifiers."""
    named = list(
        Person.objects.filter(site=site, dob_precision=Person.DobPrecision.EXACT)
        .exclude(given_name="")
        .order_by("pk")
    )
    nicknames = dict(GIVEN_NAMES)
    for original in rng.sample(named, k=min(count, len(named))):
        born = original.date_of_birth
        assert born is not None
        if born.day <= 12 and rng.random() < 0.5:
            born = date(born.year, born.day, born.month)
        person_create(
            actor=None,
            site=site,
            given_name=nicknames.get(original.given_name) or original.given_name,
            family_name=original.family_name,
            date_of_birth=born,
            dob_precision=Person.DobPrecision.EXACT,
        )


def _unique_number(index: int, digits: int) -> int:
    """A number of `digits` digits that looks random but is different for every person of a
    site: person_create refuses an identifier another person of the site already holds, and
    random draws collide at a few thousand people. 7919 is prime, so it shares no factor
    with the size of the range and every index below that size maps to its own number."""
    low = 10 ** (digits - 1)
    return low + (index * 7919 + 104729) % (9 * low)


def _maybe_enroll(
    rng: random.Random,
    person: Person,
    orgs: dict[str, Organization],
    case_managers: dict[str, list[User]],
    caseloads: Counter[int],
    today: date,
) -> None:
    roll = rng.random()
    if roll > 0.7:
        return  # referred or looked up, not (yet) enrolled
    provider_key = "bridgeway" if roll < BRIDGEWAY_SHARE else "northside"
    status = rng.choices(
        [Enrollment.Status.ACTIVE, Enrollment.Status.INACTIVE, Enrollment.Status.EXITED],
        weights=[70, 20, 10],
        k=1,
    )[0]
    enrolled_on = today - timedelta(days=rng.randint(14, 700))
    last_contact = None
    if rng.random() < 0.9:
        gap = rng.randint(0, 25) if status == Enrollment.Status.ACTIVE else rng.randint(31, 120)
        last_contact = max(enrolled_on, today - timedelta(days=gap))
    enrollment = enrollment_create(
        actor=None,
        person=person,
        provider=orgs[provider_key],
        # The least loaded case manager takes the next participant, as a supervisor would.
        case_manager=min(case_managers[provider_key], key=lambda user: caseloads[user.pk]),
        enrolled_on=enrolled_on,
        status=status,
        last_substantive_contact_on=last_contact,
        **demo_history(status, enrolled_on=enrolled_on, last_contact=last_contact, today=today),
    )
    if enrollment.case_manager is not None and status != Enrollment.Status.EXITED:
        caseloads[enrollment.case_manager.pk] += 1
