"""Every page of the app runs at most 12 queries, with 1 row and with 50 (DESIGN.md §7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.casework.models import Enrollment
from tandem.casework.support.models import (
    AssessmentAnswer,
    Expense,
    FundingSource,
    Goal,
    OutcomeSnapshot,
    Plan,
    PlanEvent,
    ProgressNote,
    ServiceLink,
    ServiceProvider,
    Step,
)
from tandem.casework.support.tests.factories import (
    approved_referral,
    enrolled_person,
    funding_source,
    viewer_of,
)
from tests.factories import sign_in

BUDGET = 12
ROWS = [1, 50]


@pytest.fixture
def held(scene):
    person = enrolled_person(scene)
    return person, Enrollment.objects.get(person=person)


def goals(scene, person, enrollment, rows):
    plan = Plan.objects.create(site=scene["site"], person=person, enrollment=enrollment)
    today = timezone.localdate()
    for index in range(rows):
        goal = Goal.objects.create(
            plan=plan,
            domain="housing" if index % 2 else "substance_use",
            category="casework" if index % 2 else "substance_use",
            words=f"Goal {index}",
            status_changed_on=today,
            recorded_by_organization=scene["provider"],
        )
        Step.objects.create(goal=goal, text=f"Step {index}", who="participant")
        ProgressNote.objects.create(
            goal=goal,
            text=f"Note {index}",
            written_at=timezone.now(),
            written_by=scene["case_manager"],
            written_by_organization=scene["provider"],
        )
        PlanEvent.objects.create(
            plan=plan,
            person=person,
            goal=goal,
            kind="goal_added",
            category=goal.category,
            after=goal.words,
            at=timezone.now(),
            by_organization=scene["provider"],
        )


def links(scene, person, enrollment, rows):
    today = timezone.localdate()
    for index in range(rows):
        entry = ServiceProvider.objects.create(
            site=scene["site"], name=f"Provider {index}", service_types=["housing", "medical"]
        )
        ServiceLink.objects.create(
            site=scene["site"],
            person=person,
            enrollment=enrollment,
            service_provider=entry,
            service_type="housing" if index % 2 else "medical",
            category="casework" if index % 2 else "health",
            status_on=today,
            referred_on=today,
            recorded_by_organization=scene["provider"],
        )


def expenses(scene, person, enrollment, rows, status="approved"):
    source = funding_source(scene, budget="100000.00")
    for index in range(rows):
        Expense.objects.create(
            site=scene["site"],
            person=person,
            enrollment=enrollment,
            funding_source=source,
            category="food",
            amount=Decimal("10.00"),
            vendor=f"Shop {index}",
            spent_on=timezone.localdate(),
            status=status,
            recorded_by=scene["case_manager"],
            recorded_by_organization=scene["provider"],
        )


def snapshots(scene, person, enrollment, rows):
    for index in range(rows):
        OutcomeSnapshot.objects.create(
            site=scene["site"],
            person=person,
            enrollment=enrollment,
            taken_on=timezone.localdate() - dt.timedelta(days=rows - index),
            source="update",
            housing_status="temporary" if index % 2 else "unsheltered",
            income_benefits=["snap"],
            health_insurance="medicaid",
            employment="looking",
            moud="no",
            recorded_by_organization=scene["provider"],
        )


PERSON_PAGES = {
    "plan": goals,
    "services": links,
    "expenses": expenses,
    "outcomes": snapshots,
}


# The project manager never sees expenses (404), so never their page's cost.
READERS = [
    (who, page)
    for who in ["case_manager", "project_manager"]
    for page in sorted(PERSON_PAGES)
    if (who, page) != ("project_manager", "expenses")
]


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize(("who", "page"), READERS)
def test_a_participants_page_costs_the_same_whatever_its_length(
    client, scene, held, page, rows, who, django_assert_max_num_queries
):
    person, enrollment = held
    PERSON_PAGES[page](scene, person, enrollment, rows)
    sign_in(client, scene[who])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse(f"casework_support:{page}", args=[person.public_id]))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", ROWS)
def test_the_directory_costs_the_same_whatever_its_length(
    client, scene, held, rows, django_assert_max_num_queries
):
    for index in range(rows):
        ServiceProvider.objects.create(
            site=scene["site"], name=f"Provider {index}", service_types=["food"]
        )
    sign_in(client, scene["supervisor"])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("casework_support:providers"))

    assert response.content.decode().count("Provider ") >= rows


@pytest.mark.parametrize("rows", ROWS)
def test_the_funds_page_costs_the_same_whatever_its_length(
    client, scene, held, rows, django_assert_max_num_queries
):
    person, enrollment = held
    for index in range(rows):
        source = funding_source(scene, name=f"Grant {index}")
        Expense.objects.create(
            site=scene["site"],
            person=person,
            enrollment=enrollment,
            funding_source=source,
            category="food",
            amount=Decimal("10.00"),
            vendor="Shop",
            spent_on=timezone.localdate(),
            status="approved",
            recorded_by_organization=scene["provider"],
        )
    sign_in(client, scene["supervisor"])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("casework_support:funds"))

    assert response.content.decode().count("$990.00") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_the_approval_queue_costs_the_same_whatever_its_length(
    client, scene, held, rows, django_assert_max_num_queries
):
    person, enrollment = held
    expenses(scene, person, enrollment, rows, status="pending")
    # Other participants too: one person per expense is the worst case.
    for _ in range(rows - 1):
        other = enrolled_person(scene)
        expenses(scene, other, Enrollment.objects.get(person=other), 1, status="pending")
    sign_in(client, scene["supervisor"])

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("casework_support:approvals"))

    assert response.content.decode().count('value="approve"') == rows * 2 - 1


@pytest.mark.parametrize("rows", ROWS)
def test_the_intake_pages_cost_the_same_whatever_was_saved(
    client, scene, rows, django_assert_max_num_queries
):
    from tandem.casework.support import services

    referral = approved_referral(scene)
    user = scene["case_manager"]
    assessment = services.intake_start(actor=user, viewer=viewer_of(user), referral=referral)
    for index in range(rows):
        AssessmentAnswer.objects.filter(assessment=assessment, domain="housing").update(
            superseded_at=timezone.now()
        )
        AssessmentAnswer.objects.create(
            assessment=assessment,
            domain="housing",
            category="casework",
            discussed="discussed",
            notes=f"Version {index}",
            recorded_by_organization=scene["provider"],
        )
    sign_in(client, user)
    rid = referral.public_id
    urls = [
        reverse("casework_support:intake", args=[rid]),
        reverse("casework_support:intake_domain", args=[rid, "housing"]),
        reverse("casework_support:intake_release", args=[rid]),
        reverse("casework_support:intake_baseline", args=[rid]),
        reverse("casework_support:assessment", args=[assessment.public_id]),
    ]

    for url in urls:
        with django_assert_max_num_queries(BUDGET):
            response = client.get(url)
        assert response.status_code == 200, url


def test_the_plan_page_shows_fifty_goals_with_their_steps_and_notes(client, scene, held):
    person, enrollment = held
    goals(scene, person, enrollment, 50)
    sign_in(client, scene["case_manager"])

    text = client.get(reverse("casework_support:plan", args=[person.public_id])).content.decode()

    assert text.count("Step ") >= 50
    assert "Note 49" in text
    assert FundingSource.objects.count() == 0
