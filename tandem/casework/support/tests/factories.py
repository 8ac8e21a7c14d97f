"""Scenes for casework-support tests. Referrals, intakes and expenses go through the
services (they are the behaviour under test elsewhere); plain rows that only set a scene are
written directly."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.casework.support import services
from tandem.casework.support.domains import DOMAIN_ORDER
from tandem.casework.support.models import (
    Assessment,
    FundingSource,
    ServiceProvider,
)
from tandem.casework.support.outcomes import Outcomes
from tandem.consent.services import GrantInput
from tandem.referrals.models import Referral
from tandem.referrals.services import Conduct, Subject, referral_decide, referral_submit
from tandem.tenancy.models import Membership, Organization
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
    signature_png,
)

DRAWN = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
POSSESSION = "RCW 69.50.4013"

BASELINE = Outcomes(
    housing_status="unsheltered",
    income_benefits=("snap",),
    health_insurance="medicaid",
    employment="looking",
    moud="no",
    overdoses_90d=1,
    ed_visits_90d=2,
)


def viewer_of(user: Any) -> Viewer:
    return Viewer.from_membership(
        Membership.objects.select_related("organization", "user").get(user=user)
    )


def team(site: Any, organization: Organization, role: Role = Role.CASE_MANAGER) -> Any:
    user = member(role, organization=organization)
    add_totp(user)
    return user


def approved_referral(
    scene: dict[str, Any], *, given: str = "Rosa", family: str = "Quintero"
) -> Referral:
    """An arrest diversion the project manager approved: the charge is held, the person is
    on record (made from the referral's name), and the intake is due."""
    officer = scene["officer"]
    referral = referral_submit(
        actor=officer,
        viewer=viewer_of(officer),
        door="arrest",
        subject=Subject(given_name=given, family_name=family, date_of_birth=dt.date(1984, 5, 6)),
        conduct=Conduct(
            offence_codes=(POSSESSION,),
            substance="heroin",
            form="powder",
            quantity_grams=Decimal("1.0"),
            dealing_for_profit=False,
        ),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        location_text="3rd Ave & Bell St",
    )
    pm = scene["project_manager"]
    return referral_decide(
        actor=pm, viewer=viewer_of(pm), referral=referral, approve=True, reason="Checked"
    )


def release_grants(scene: dict[str, Any]) -> list[GrantInput]:
    from tandem.access.roles import Category

    return [
        GrantInput(
            organization=scene["prosecutor_org"],
            categories=frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL}),
        )
    ]


def answer_every_domain(user: Any, assessment: Assessment) -> None:
    for domain in DOMAIN_ORDER:
        services.intake_answer_save(
            actor=user,
            viewer=viewer_of(user),
            assessment=assessment,
            domain=domain,
            discussed="discussed",
            answers={},
            notes=f"About {domain}.",
        )


def record_release(scene: dict[str, Any], user: Any, assessment: Assessment) -> Any:
    part2 = assessment.organization.is_part2_program
    from tandem.consent.services import Part2Elements

    return services.intake_release_record(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        grants=release_grants(scene),
        purpose="care_coordination",
        purpose_text="Coordinate services and the held charge.",
        effective_on=timezone.localdate(),
        expires_on=None,
        signed_name="Rosa Quintero",
        signature_drawn=DRAWN,
        part2=Part2Elements(
            disclosure_description="Enrollment and legal status.",
            revocation_instructions="Tell the case manager.",
            treatment_not_conditioned=True,
        )
        if part2
        else None,
    )


def ready_intake(scene: dict[str, Any], user: Any, referral: Referral) -> Assessment:
    """A draft with every domain answered, the release recorded and the baseline saved."""
    viewer = viewer_of(user)
    assessment = services.intake_start(actor=user, viewer=viewer, referral=referral)
    answer_every_domain(user, assessment)
    record_release(scene, user, assessment)
    services.intake_baseline_save(
        actor=user, viewer=viewer, assessment=assessment, outcomes=BASELINE
    )
    assessment.refresh_from_db()
    return assessment


def completed_intake(scene: dict[str, Any], user: Any, **names: str) -> Assessment:
    referral = approved_referral(scene, **names)
    assessment = ready_intake(scene, user, referral)
    return services.intake_complete(
        actor=user, viewer=viewer_of(user), assessment=assessment, on=timezone.localdate()
    )


def enrolled_person(scene: dict[str, Any], provider: Organization | None = None) -> Any:
    """A participant held by `provider` (the scene's), written directly."""
    person = PersonFactory(site=scene["site"])
    EnrollmentFactory(person=person, provider=provider or scene["provider"])
    return person


def funding_source(
    scene: dict[str, Any],
    *,
    budget: str = "1000.00",
    threshold: str = "250.00",
    organization: Organization | None = None,
    name: str = "City flex fund",
) -> FundingSource:
    today = timezone.localdate()
    organization = organization or scene["provider"]
    return FundingSource.objects.create(
        site=organization.site,
        organization=organization,
        name=name,
        funder="City of Harbor",
        budget=Decimal(budget),
        starts_on=today - dt.timedelta(days=180),
        ends_on=today + dt.timedelta(days=185),
        approval_threshold=Decimal(threshold),
    )


def directory_entry(scene: dict[str, Any], name: str = "Harbor Housing", **kwargs: Any) -> Any:
    kwargs.setdefault("service_types", ["housing", "substance_use_treatment", "benefits"])
    return ServiceProvider.objects.create(site=scene["site"], name=name, phone="555-0111", **kwargs)


def new_scene(site: Any) -> dict[str, Any]:
    """Organisations and a member of each role at `site`; the case-management team works for
    Bridgeway. Used by this app's tests and by the route matrix."""
    from tandem.referrals.tests.conftest import adopt, seattle_rules

    provider = OrganizationFactory(site=site, kind="case_management", name="Bridgeway")
    other = OrganizationFactory(site=site, kind="case_management", name="Northside")
    part2 = OrganizationFactory(
        site=site, kind="case_management", name="Harbor Recovery", is_part2_program=True
    )
    police = OrganizationFactory(site=site, kind="police", name="Harbor PD")
    prosecutor = OrganizationFactory(site=site, kind="prosecutor", name="County Prosecutor")
    defenders = OrganizationFactory(site=site, kind="defender", name="Public Defender")
    office = OrganizationFactory(site=site, kind="project_office", name="LEAD Office")
    adopt(site, seattle_rules())
    return {
        "site": site,
        "provider": provider,
        "other_provider": other,
        "part2_provider": part2,
        "prosecutor_org": prosecutor,
        "case_manager": team(site, provider),
        "outreach": team(site, provider, Role.OUTREACH_WORKER),
        "supervisor": team(site, provider, Role.CM_SUPERVISOR),
        "other_case_manager": team(site, other),
        "part2_case_manager": team(site, part2),
        "part2_supervisor": team(site, part2, Role.CM_SUPERVISOR),
        "project_manager": team(site, office, Role.PROJECT_MANAGER),
        "officer": team(site, police, Role.POLICE_OFFICER),
        "sergeant": team(site, police, Role.POLICE_SERGEANT),
        "prosecutor": team(site, prosecutor, Role.PROSECUTOR),
        "defender": team(site, defenders, Role.DEFENDER),
        "evaluator": _with_totp(member(Role.EVALUATOR, site=site)),
    }


def _with_totp(user: Any) -> Any:
    add_totp(user)
    return user


def support_scene(*, site: Any, provider: Organization, person: Any, users: Any) -> dict[str, Any]:
    """For the route matrix (tests/access): rows of this app about the scene's person, held
    by `provider`, and an approved referral of another person whose intake `provider`'s
    case manager has begun. Written directly: the matrix tests who may open them."""
    from django.core.files.base import ContentFile

    from tandem.casework.models import Enrollment
    from tandem.casework.support.models import (
        Expense,
        Goal,
        Plan,
        ServiceLink,
        Step,
    )
    from tandem.referrals.models import Status

    case_manager = users[Role.CASE_MANAGER]
    enrollment = Enrollment.objects.get(person=person)
    plan = Plan.objects.create(site=site, person=person, enrollment=enrollment)
    today = timezone.localdate()
    goal = Goal.objects.create(
        plan=plan,
        domain="housing",
        category="casework",
        words="A place of my own",
        status_changed_on=today,
        recorded_by_organization=provider,
    )
    step = Step.objects.create(goal=goal, text="Call the housing line", who="participant")
    entry = ServiceProvider.objects.create(
        site=site, name="Harbor Housing", service_types=["housing"]
    )
    link = ServiceLink.objects.create(
        site=site,
        person=person,
        enrollment=enrollment,
        service_provider=entry,
        service_type="housing",
        category="casework",
        status_on=today,
        referred_on=today,
        recorded_by_organization=provider,
    )
    source = FundingSource.objects.create(
        site=site,
        organization=provider,
        name="City flex fund",
        budget=Decimal("1000.00"),
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
        approval_threshold=Decimal("250.00"),
    )
    expense = Expense(
        site=site,
        person=person,
        enrollment=enrollment,
        funding_source=source,
        category="motel",
        amount=Decimal("89.00"),
        vendor="Harbor Motel",
        spent_on=today,
        status=Expense.Status.APPROVED,
        recorded_by=case_manager,
        recorded_by_organization=provider,
        receipt_content_type="application/pdf",
    )
    expense.receipt.save("r.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    expense.save()
    newcomer = PersonFactory(site=site)
    referral = Referral.objects.create(
        site=site,
        door="social_contact",
        status=Status.APPROVED,
        person=newcomer,
        given_name=newcomer.given_name,
        family_name=newcomer.family_name,
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )
    assessment = Assessment.objects.create(
        site=site,
        person=newcomer,
        referral=referral,
        organization=provider,
        started_by=case_manager,
    )
    return {
        "intake_referral": referral,
        "assessment": assessment,
        "goal": goal,
        "plan_step": step,
        "service_link": link,
        "expense": expense,
    }
