"""The plan: goals in the participant's own words, working on / achieved / set aside and
never failed, steps and who does them, progress notes, and every change kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.casework.support import services
from tandem.casework.support.models import Goal, PlanEvent, ProgressNote, Step
from tandem.casework.support.tests.factories import enrolled_person, viewer_of
from tests.factories import sign_in


def add_goal(scene, person, words="A place of my own", domain="housing", by="case_manager"):
    user = scene[by]
    return services.goal_add(
        actor=user, viewer=viewer_of(user), person=person, domain=domain, words=words
    )


def test_a_goal_is_working_on_achieved_or_set_aside_and_never_failed(scene):
    assert set(Goal.Status.values) == {"working_on", "achieved", "set_aside"}
    person = enrolled_person(scene)
    goal = add_goal(scene, person)
    user = scene["case_manager"]

    with pytest.raises(ValidationError, match="worked on, achieved or set aside"):
        services.goal_set_status(actor=user, viewer=viewer_of(user), goal=goal, status="failed")
    # Not even a direct write can store it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=goal.pk).update(status="failed")

    for status in ["set_aside", "working_on", "achieved"]:
        goal = services.goal_set_status(
            actor=user, viewer=viewer_of(user), goal=goal, status=status
        )
    assert goal.status == "achieved"
    moves = PlanEvent.objects.filter(goal=goal, kind="goal_status").order_by("at", "id")
    assert [(e.before, e.after) for e in moves] == [
        ("Working on", "Set aside"),
        ("Set aside", "Working on"),
        ("Working on", "Achieved"),
    ]


def test_rewording_a_goal_keeps_the_earlier_words(scene):
    person = enrolled_person(scene)
    goal = add_goal(scene, person, words="Get housed")
    user = scene["case_manager"]

    services.goal_reword(
        actor=user, viewer=viewer_of(user), goal=goal, words="A room near my sister"
    )

    goal.refresh_from_db()
    assert goal.words == "A room near my sister"
    event = PlanEvent.objects.get(goal=goal, kind="goal_reworded")
    assert (event.before, event.after) == ("Get housed", "A room near my sister")


def test_steps_and_notes_are_kept_with_who_does_what(scene):
    person = enrolled_person(scene)
    goal = add_goal(scene, person)
    user = scene["case_manager"]
    viewer = viewer_of(user)

    with pytest.raises(ValidationError, match="Name the partner"):
        services.step_add(actor=user, viewer=viewer, goal=goal, text="Call", who="partner")
    step = services.step_add(
        actor=user,
        viewer=viewer,
        goal=goal,
        text="Apply for the voucher",
        who="partner",
        who_detail="Harbor Housing",
    )
    services.step_done(actor=user, viewer=viewer, step=step)
    with pytest.raises(ValidationError, match="was done on"):
        services.step_done(actor=user, viewer=viewer, step=step)
    services.progress_note_add(actor=user, viewer=viewer, goal=goal, text="Saw two flats")

    step.refresh_from_db()
    assert step.done_on == timezone.localdate()
    assert ProgressNote.objects.get(goal=goal).text == "Saw two flats"
    assert list(
        PlanEvent.objects.filter(goal=goal).order_by("at", "id").values_list("kind", flat=True)
    ) == ["goal_added", "step_added", "step_done", "note_added"]


@pytest.mark.parametrize("by", ["other_case_manager", "project_manager"])
def test_only_the_holding_team_writes_the_plan(scene, by):
    person = enrolled_person(scene)

    with pytest.raises(ValidationError, match="team holding the participant"):
        add_goal(scene, person, by=by)

    assert not Goal.objects.exists()


def test_an_empty_goal_is_refused(scene):
    with pytest.raises(ValidationError, match="as the participant says it"):
        add_goal(scene, enrolled_person(scene), words="   ")


# Pages -----------------------------------------------------------------------------------


def test_the_plan_page_shows_goals_by_status(client, scene):
    person = enrolled_person(scene)
    working = add_goal(scene, person, words="Get my ID back", domain="id_documents")
    done = add_goal(scene, person, words="See a dentist", domain="physical_health")
    user = scene["case_manager"]
    services.goal_set_status(actor=user, viewer=viewer_of(user), goal=done, status="achieved")
    sign_in(client, user)

    page = client.get(reverse("casework_support:plan", args=[person.public_id])).content.decode()

    assert page.index("Get my ID back") < page.index("Achieved and set aside")
    assert page.index("See a dentist") > page.index("Achieved and set aside")
    assert "failed" not in page.lower()
    assert str(working.public_id) in page


def test_adding_a_goal_with_bad_input_keeps_the_words(client, scene):
    person = enrolled_person(scene)
    sign_in(client, scene["case_manager"])

    response = client.post(
        reverse("casework_support:plan", args=[person.public_id]),
        {"domain": "moon", "words": "Be closer to my kids"},
    )

    assert response.status_code == 400
    assert "Be closer to my kids" in response.content.decode()
    assert not Goal.objects.exists()


def test_an_htmx_step_comes_back_as_the_goals_card(client, scene):
    person = enrolled_person(scene)
    goal = add_goal(scene, person)
    sign_in(client, scene["case_manager"])

    response = client.post(
        reverse("casework_support:step_add", args=[goal.public_id]),
        {"text": "Call the housing line", "who": "participant"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith("<article")
    assert "Call the housing line" in text
    assert Step.objects.filter(goal=goal).count() == 1


def test_a_bad_step_keeps_what_was_typed(client, scene):
    person = enrolled_person(scene)
    goal = add_goal(scene, person)
    sign_in(client, scene["case_manager"])

    response = client.post(
        reverse("casework_support:step_add", args=[goal.public_id]),
        {"text": "Ask Legal Aid", "who": "partner", "who_detail": ""},
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Ask Legal Aid" in text
    assert "Name the partner who does it." in text
    assert not Step.objects.exists()


def test_the_project_manager_reads_the_plan_but_not_its_health_goals(client, scene):
    person = enrolled_person(scene)
    add_goal(scene, person, words="Keep a roof", domain="housing")
    add_goal(scene, person, words="Start on methadone", domain="substance_use")
    add_goal(scene, person, words="Get my meds", domain="mental_health")
    sign_in(client, scene["project_manager"])

    response = client.get(reverse("casework_support:plan", args=[person.public_id]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Keep a roof" in text
    assert "methadone" not in text
    assert "Get my meds" not in text
    assert "Add the goal" not in text
