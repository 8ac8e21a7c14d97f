"""The services of casework support check who is acting, whoever calls them: the team
holding the open enrollment writes the plan, services, expenses and outcomes (the core
app's rule, `tandem.casework.holding.enrollment_check_held`, through `held_enrollment`);
the provider doing an intake writes it, while nobody else holds the person; and each
domain of the intake is information of its own category (health, substance use,
financial, legal), which decide() must allow for it to be saved or shown."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import (
    ALL_CATEGORIES,
    ROLE_CAPABILITIES,
    ROLE_CEILING,
    Capability,
    IntakeSubject,
    allowed_categories,
)
from tandem.access.roles import Category, Purpose, Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_exit
from tandem.casework.support import services
from tandem.casework.support.domains import DOMAIN_CATEGORY, Domain
from tandem.casework.support.models import (
    SNAPSHOT_FIELDS,
    Assessment,
    AssessmentAnswer,
    Expense,
    Goal,
    OutcomeSnapshot,
    ServiceLink,
)
from tandem.casework.support.tests.factories import (
    BASELINE,
    answer_every_domain,
    approved_referral,
    directory_entry,
    enrolled_person,
    funding_source,
    team,
    viewer_of,
)
from tests.factories import EnrollmentFactory, SiteFactory, add_totp, member, sign_in

OUTSIDERS = [
    "other_case_manager",
    "part2_case_manager",
    "project_manager",
    "officer",
    "prosecutor",
    "provider_admin",
    "other_site_case_manager",
]


@pytest.fixture
def people(scene) -> dict[str, Any]:
    """The scene's members, and two more outsiders: a site administrator who belongs to
    Bridgeway itself, and a case manager of another site."""
    admin = member(Role.SITE_ADMIN, organization=scene["provider"])
    add_totp(admin)
    elsewhere = SiteFactory().organizations.create(name="Elsewhere", kind="case_management")
    return {
        **scene,
        "provider_admin": admin,
        "other_site_case_manager": team(None, elsewhere),
    }


def state() -> tuple[Any, ...]:
    """Everything a refused write of this app could have touched."""
    return (
        list(Goal.objects.order_by("pk").values()),
        list(ServiceLink.objects.order_by("pk").values()),
        list(Expense.objects.order_by("pk").values_list("pk", "status")),
        list(OutcomeSnapshot.objects.order_by("pk").values_list("pk", flat=True)),
        list(Assessment.objects.order_by("pk").values()),
        list(AssessmentAnswer.objects.order_by("pk").values()),
        list(Enrollment.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


# The participant's casework: held_enrollment ---------------------------------------------

Write = Callable[[Any, Any, Any, dict[str, Any]], object]

WRITES: dict[str, Write] = {
    "goal_add": lambda user, viewer, person, s: services.goal_add(
        actor=user, viewer=viewer, person=person, domain="housing", words="A room"
    ),
    "service_link_add": lambda user, viewer, person, s: services.service_link_add(
        actor=user,
        viewer=viewer,
        person=person,
        service_provider=directory_entry(s),
        service_type="housing",
    ),
    "expense_record": lambda user, viewer, person, s: services.expense_record(
        actor=user,
        viewer=viewer,
        person=person,
        funding_source=funding_source(s),
        category="food",
        amount=Decimal("12.50"),
        vendor="Corner Store",
        spent_on=timezone.localdate(),
    ),
    "snapshot_record": lambda user, viewer, person, s: services.snapshot_record(
        actor=user, viewer=viewer, person=person, outcomes=BASELINE
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_holding_team_writes_the_participants_casework(people, who, write):
    person = enrolled_person(people)
    user = people[who]
    before = state()

    with pytest.raises(ValidationError, match="team holding the participant"):
        WRITES[write](user, viewer_of(user), person, people)

    assert state() == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_former_team_writes_nothing_after_an_exit(scene, write):
    person = enrolled_person(scene)
    user = scene["case_manager"]
    enrollment_exit(
        actor=user,
        viewer=viewer_of(user),
        enrollment=Enrollment.objects.get(person=person),
        reason="moved",
    )
    before = state()

    with pytest.raises(ValidationError, match="not enrolled"):
        WRITES[write](user, viewer_of(user), person, scene)

    assert state() == before


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("who", ["case_manager", "outreach", "supervisor", None])
def test_the_holding_team_and_the_system_write_it(scene, who, write):
    person = enrolled_person(scene)
    user = scene[who] if who else None
    before = state()

    WRITES[write](user, viewer_of(user) if user else None, person, scene)

    assert state() != before


# The intake: the provider doing it, while nobody else holds the person ------------------


def draft(scene: dict[str, Any]) -> Assessment:
    user = scene["case_manager"]
    return services.intake_start(
        actor=user, viewer=viewer_of(user), referral=approved_referral(scene)
    )


def step_url(assessment: Assessment, step: str) -> str:
    assert assessment.referral is not None
    rid = assessment.referral.public_id
    if step == "baseline":
        return reverse("casework_support:intake_baseline", args=[rid])
    return reverse("casework_support:intake_domain", args=[rid, step])


DRAFT_WRITES: dict[str, Write] = {
    "answer": lambda user, viewer, assessment, s: services.intake_answer_save(
        actor=user,
        viewer=viewer,
        assessment=assessment,
        domain="housing",
        discussed="discussed",
        answers={},
        notes="Sleeps by the pier",
    ),
    "baseline": lambda user, viewer, assessment, s: services.intake_baseline_save(
        actor=user, viewer=viewer, assessment=assessment, outcomes=BASELINE
    ),
    "declined": lambda user, viewer, assessment, s: services.intake_release_declined(
        actor=user, viewer=viewer, assessment=assessment, reason="Not today", close=True
    ),
    "complete": lambda user, viewer, assessment, s: services.intake_complete(
        actor=user, viewer=viewer, assessment=assessment, on=timezone.localdate()
    ),
}


@pytest.mark.parametrize("write", sorted(DRAFT_WRITES))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_but_the_provider_doing_the_intake_writes_it(people, who, write):
    assessment = draft(people)
    answer_every_domain(people["case_manager"], assessment)
    user = people[who]
    before = state()

    with pytest.raises(
        ValidationError, match=r"Only a case-management team|Another provider is doing"
    ):
        DRAFT_WRITES[write](user, viewer_of(user), assessment, people)

    assert state() == before


@pytest.mark.parametrize("write", sorted(DRAFT_WRITES))
def test_once_another_provider_holds_the_person_the_draft_is_closed_to_writes(scene, write):
    assessment = draft(scene)
    EnrollmentFactory(person=assessment.person, provider=scene["other_provider"])
    user = scene["case_manager"]
    before = state()

    with pytest.raises(ValidationError, match="Another provider holds"):
        DRAFT_WRITES[write](user, viewer_of(user), assessment, scene)

    assert state() == before


def test_an_intake_is_not_started_for_a_person_another_provider_holds(scene):
    referral = approved_referral(scene)
    EnrollmentFactory(person=referral.person, provider=scene["other_provider"])
    user = scene["case_manager"]

    with pytest.raises(ValidationError, match="Another provider holds"):
        services.intake_start(actor=user, viewer=viewer_of(user), referral=referral)

    assert not Assessment.objects.exists()


def test_the_provider_holding_the_person_may_assess_them_again(scene):
    referral = approved_referral(scene)
    EnrollmentFactory(person=referral.person, provider=scene["provider"])
    user = scene["case_manager"]

    assessment = services.intake_start(actor=user, viewer=viewer_of(user), referral=referral)
    services.intake_answer_save(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        domain="physical_health",
        discussed="discussed",
        answers={},
        notes="Clinic on Tuesday",
    )

    assert AssessmentAnswer.objects.get(assessment=assessment).category == "health"


# Each domain is decided on its own category ----------------------------------------------

PROTECTED_DOMAINS = sorted(d for d in Domain.values if DOMAIN_CATEGORY[d] != Category.CASEWORK)


def test_today_every_role_that_may_do_an_intake_may_see_every_category_of_it(scene):
    """Why no real viewer is refused a domain yet: only the case-management roles may write
    casework, and decide() allows the team standing as the holder every category. The
    checks below stand for the day a role (or a site's narrowing) allows casework but not
    health or substance use."""
    intake_roles = sorted(r for r in Role if Capability.WRITE_CASEWORK in ROLE_CAPABILITIES[r])
    subject = IntakeSubject(
        site_id=scene["site"].pk,
        holding_organization_id=scene["provider"].pk,
        holder_is_part2=False,
    )

    assert intake_roles == sorted([Role.CASE_MANAGER, Role.CM_SUPERVISOR, Role.OUTREACH_WORKER])
    for role in intake_roles:
        user = team(None, scene["provider"], role)
        categories = allowed_categories(
            viewer=viewer_of(user), person=subject, purpose=Purpose.CARE_COORDINATION
        )
        assert set(DOMAIN_CATEGORY.values()) <= categories, role
        assert {category for _, _, category in SNAPSHOT_FIELDS} <= categories, role


@pytest.fixture
def narrowed(monkeypatch):
    """Case managers may write casework but not see `category` (a role or a site's
    narrowing that does not exist yet); supervisors keep every category."""

    def narrow(category: Category) -> None:
        monkeypatch.setitem(ROLE_CEILING, Role.CASE_MANAGER, ALL_CATEGORIES - {category})

    return narrow


def save(user: Any, assessment: Assessment, domain: str) -> AssessmentAnswer:
    return services.intake_answer_save(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        domain=domain,
        discussed="discussed",
        answers={},
        notes=f"About {domain}.",
    )


@pytest.mark.parametrize("domain", PROTECTED_DOMAINS)
def test_a_domain_is_saved_only_by_someone_allowed_its_category(scene, narrowed, domain):
    assessment = draft(scene)
    narrowed(DOMAIN_CATEGORY[domain])
    before = state()

    with pytest.raises(ValidationError, match=f"is {DOMAIN_CATEGORY[domain].label.lower()}"):
        save(scene["case_manager"], assessment, domain)

    assert state() == before
    # The same case manager still records casework; the supervisor, the refused domain.
    save(scene["case_manager"], assessment, "housing")
    save(scene["supervisor"], assessment, domain)
    assert set(AssessmentAnswer.objects.values_list("domain", flat=True)) == {"housing", domain}


@pytest.mark.parametrize("domain", PROTECTED_DOMAINS)
def test_the_domains_page_answers_404_to_someone_refused_its_category(
    client, scene, narrowed, domain
):
    assessment = draft(scene)
    save(scene["supervisor"], assessment, domain)
    narrowed(DOMAIN_CATEGORY[domain])
    sign_in(client, scene["case_manager"])
    url = step_url(assessment, domain)
    before = state()

    shown = client.get(url)
    posted = client.post(url, {"discussed": "discussed", "notes": "Overwritten"})

    assert shown.status_code == 404
    assert f"About {domain}." not in shown.text
    assert posted.status_code == 404
    assert state()[:-1] == before[:-1]  # only the refusals were audited
    assert (
        AuditEvent.objects.filter(
            action="person.view_refused", actor=scene["case_manager"], detail__step=domain
        ).count()
        == 2
    )
    assert client.get(step_url(assessment, "housing")).status_code == 200


@pytest.mark.parametrize("category", [Category.HEALTH, Category.SUBSTANCE_USE, Category.FINANCIAL])
def test_the_baseline_needs_every_category_it_holds(client, scene, narrowed, category):
    assessment = draft(scene)
    narrowed(category)
    user = scene["case_manager"]
    sign_in(client, user)
    url = step_url(assessment, "baseline")
    before = state()

    with pytest.raises(ValidationError, match="The baseline is"):
        services.intake_baseline_save(
            actor=user, viewer=viewer_of(user), assessment=assessment, outcomes=BASELINE
        )
    shown = client.get(url)
    posted = client.post(url, {**BASELINE.to_dict(), "income_benefits": ["snap"]})

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert state()[:-1] == before[:-1]
    assert Assessment.objects.get(pk=assessment.pk).baseline == {}


def test_with_every_category_the_baseline_is_saved(scene):
    assessment = draft(scene)
    user = scene["case_manager"]

    services.intake_baseline_save(
        actor=user,
        viewer=viewer_of(user),
        assessment=assessment,
        outcomes=dataclasses.replace(BASELINE, moud="yes"),
    )

    assert Assessment.objects.get(pk=assessment.pk).baseline["moud"] == "yes"
