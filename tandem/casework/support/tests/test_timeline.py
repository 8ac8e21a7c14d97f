"""This app's timeline sources: plan changes, services, expenses and outcome snapshots, each
one query at most, and filtered by the registry like every other source."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.utils import timezone

from tandem.access.decisions import Subject
from tandem.access.roles import Purpose
from tandem.casework.support import services, timeline
from tandem.casework.support.tests.factories import (
    completed_intake,
    directory_entry,
    funding_source,
    viewer_of,
)
from tandem.casework.timeline import timeline_collect, timeline_queries
from tandem.people.selectors import people_in_scope


def subject(viewer, person):
    return cast(Subject, people_in_scope(viewer.site_id, viewer=viewer).get(pk=person.pk))


def busy_participant(scene):
    user = scene["case_manager"]
    viewer = viewer_of(user)
    person = completed_intake(scene, user).person
    goal = services.goal_add(
        actor=user, viewer=viewer, person=person, domain="substance_use", words="Use less"
    )
    services.goal_set_status(actor=user, viewer=viewer, goal=goal, status="achieved")
    services.service_link_add(
        actor=user,
        viewer=viewer,
        person=person,
        service_provider=directory_entry(scene),
        service_type="housing",
    )
    services.expense_record(
        actor=user,
        viewer=viewer,
        person=person,
        funding_source=funding_source(scene),
        category="food",
        amount=Decimal("20.00"),
        vendor="Corner grocery",
        spent_on=timezone.localdate(),
    )
    return person


def test_the_queries_are_registered():
    names = {query.name for query in timeline_queries()}

    assert {query.name for query in timeline.QUERIES} <= names


def test_all_four_cost_one_query_together(scene, monkeypatch, django_assert_num_queries):
    from tandem.casework import timeline as registry

    person = busy_participant(scene)
    viewer = viewer_of(scene["case_manager"])
    who = subject(viewer, person)
    monkeypatch.setattr(registry, "_QUERIES", {q.name: q for q in timeline.QUERIES})
    monkeypatch.setattr(registry, "_SOURCES", [])

    with django_assert_num_queries(1):
        entries = timeline_collect(
            viewer=viewer, person=who, purpose=Purpose.CARE_COORDINATION, limit=50
        )

    kinds = {entry.kind.split(".")[0] for entry in entries}
    assert kinds == {"plan", "service", "expense", "outcomes"}
    expense = next(entry for entry in entries if entry.kind == "expense")
    assert expense.title == "Expense: Food $20.00"
    assert expense.at.date() == timezone.localdate()


def test_the_holding_team_sees_every_kind_the_project_manager_no_money_or_health(scene):
    person = busy_participant(scene)
    team = viewer_of(scene["case_manager"])
    office = viewer_of(scene["project_manager"])

    mine = timeline_collect(
        viewer=team, person=subject(team, person), purpose=Purpose.CARE_COORDINATION, limit=50
    )
    theirs = timeline_collect(
        viewer=office,
        person=subject(office, person),
        purpose=Purpose.CARE_COORDINATION,
        limit=50,
    )

    kinds = {entry.kind for entry in mine}
    assert {"plan.goal_added", "plan.goal_status", "service.referred", "expense"} <= kinds
    assert "outcomes.intake" in kinds
    office_kinds = {entry.kind for entry in theirs}
    assert "expense" not in office_kinds
    assert "plan.goal_added" not in office_kinds  # the goal is about substance use
    assert "service.referred" in office_kinds
    assert "outcomes.intake" in office_kinds


def test_a_part2_programmes_entries_stay_inside_it(scene):
    person = completed_intake(scene, scene["part2_case_manager"], given="Ana", family="Ruiz").person
    office = viewer_of(scene["project_manager"])
    programme = viewer_of(scene["part2_case_manager"])

    outside = timeline_collect(
        viewer=office, person=subject(office, person), purpose=Purpose.CARE_COORDINATION, limit=50
    )
    inside = timeline_collect(
        viewer=programme,
        person=subject(programme, person),
        purpose=Purpose.CARE_COORDINATION,
        limit=50,
    )

    assert not [e for e in outside if e.kind.startswith(("outcomes", "plan", "expense"))]
    assert [e for e in inside if e.kind == "outcomes.intake"]
