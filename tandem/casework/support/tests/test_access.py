"""Who opens what: police, prosecutors, defenders and evaluators get 404 on every page of
this app; another provider's case manager and anyone from another site get 404 on the
participant's pages; a 42 CFR Part 2 programme's assessment domains, goals, services,
expenses and snapshots are never shown outside it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import Enrollment
from tandem.casework.support import services
from tandem.casework.support.models import Assessment, Expense, Goal, Step
from tandem.casework.support.tests.factories import (
    BASELINE,
    approved_referral,
    completed_intake,
    directory_entry,
    funding_source,
    team,
    viewer_of,
)
from tests.factories import SiteFactory, sign_in

PARTNERS = ["officer", "sergeant", "prosecutor", "defender", "evaluator"]


@pytest.fixture
def world(scene):
    """A participant Bridgeway enrolled through an intake, with a goal and a step, a
    service link, an expense with a receipt and a second snapshot; and a referral whose
    intake Bridgeway has begun."""
    user = scene["case_manager"]
    viewer = viewer_of(user)
    assessment = completed_intake(scene, user)
    person = assessment.person
    goal = services.goal_add(
        actor=user, viewer=viewer, person=person, domain="housing", words="A room"
    )
    step = services.step_add(actor=user, viewer=viewer, goal=goal, text="Call", who="participant")
    link = services.service_link_add(
        actor=user,
        viewer=viewer,
        person=person,
        service_provider=directory_entry(scene),
        service_type="housing",
    )
    expense = services.expense_record(
        actor=user,
        viewer=viewer,
        person=person,
        funding_source=funding_source(scene),
        category="motel",
        amount=Decimal("80.00"),
        vendor="Harbor Motel",
        spent_on=timezone.localdate(),
        receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF"),
    )
    draft_referral = approved_referral(scene, given="Sam", family="Lee")
    services.intake_start(actor=user, viewer=viewer, referral=draft_referral)
    return {
        "person": person,
        "assessment": assessment,
        "goal": goal,
        "step": step,
        "link": link,
        "expense": expense,
        "draft_referral": draft_referral,
        "last_event": AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0],
    }


def pages(world) -> dict[str, str]:
    p, r = world["person"].public_id, world["draft_referral"].public_id
    return {
        "plan": reverse("casework_support:plan", args=[p]),
        "services": reverse("casework_support:services", args=[p]),
        "expenses": reverse("casework_support:expenses", args=[p]),
        "outcomes": reverse("casework_support:outcomes", args=[p]),
        "assessment": reverse("casework_support:assessment", args=[world["assessment"].public_id]),
        "receipt": reverse("casework_support:receipt", args=[world["expense"].public_id]),
        "intake": reverse("casework_support:intake", args=[r]),
        "intake_domain": reverse("casework_support:intake_domain", args=[r, "substance_use"]),
        "intake_release": reverse("casework_support:intake_release", args=[r]),
        "intake_baseline": reverse("casework_support:intake_baseline", args=[r]),
        "providers": reverse("casework_support:providers"),
        "funds": reverse("casework_support:funds"),
        "approvals": reverse("casework_support:approvals"),
    }


def posts(world) -> dict[str, tuple[str, dict[str, str]]]:
    r = world["draft_referral"].public_id
    goal = world["goal"].public_id
    return {
        "goal_change": (
            reverse("casework_support:goal_change", args=[goal]),
            {"status": "set_aside"},
        ),
        "step_add": (
            reverse("casework_support:step_add", args=[goal]),
            {"text": "x", "who": "participant"},
        ),
        "note_add": (reverse("casework_support:note_add", args=[goal]), {"text": "x"}),
        "step_done": (
            reverse("casework_support:step_done", args=[world["step"].public_id]),
            {},
        ),
        "link_update": (
            reverse("casework_support:link_update", args=[world["link"].public_id]),
            {"status": "declined", "on": timezone.localdate().isoformat()},
        ),
        "expense_decide": (
            reverse("casework_support:expense_decide", args=[world["expense"].public_id]),
            {"decision": "void", "reason": "x"},
        ),
        "intake_start": (reverse("casework_support:intake_start", args=[r]), {}),
        "intake_declined": (
            reverse("casework_support:intake_declined", args=[r]),
            {"reason": "No", "close": "on"},
        ),
        "intake_complete": (
            reverse("casework_support:intake_complete", args=[r]),
            {"on": timezone.localdate().isoformat()},
        ),
        "plan_goal": (
            reverse("casework_support:plan", args=[world["person"].public_id]),
            {"domain": "housing", "words": "x"},
        ),
        # A valid expense (the control test below records it while the enrollment is
        # open), so that only the access rule can refuse it.
        "expense_add": (
            reverse("casework_support:expenses", args=[world["person"].public_id]),
            {
                "funding_source": str(world["expense"].funding_source.public_id),
                "category": "food",
                "amount": "12.50",
                "vendor": "Corner Store",
                "spent_on": timezone.localdate().isoformat(),
            },
        ),
    }


def nothing_changed(world) -> None:
    assert Goal.objects.get(pk=world["goal"].pk).status == "working_on"
    assert Step.objects.get(pk=world["step"].pk).done_on is None
    assert Goal.objects.count() == 1
    assert Expense.objects.get(pk=world["expense"].pk).status == "approved"
    assert Expense.objects.count() == 1
    assert Assessment.objects.filter(status="draft").count() == 1
    assert not AuditEvent.objects.filter(
        seq__gt=world["last_event"],
        action__in=["plan.goal_status", "plan.step_added", "expense.voided", "plan.goal_added"],
    ).exists()


@pytest.mark.parametrize("who", PARTNERS)
def test_police_legal_partners_and_evaluators_get_404_everywhere(client, scene, world, who):
    sign_in(client, scene[who])

    for name, url in pages(world).items():
        assert client.get(url).status_code == 404, name
    for name, (url, data) in posts(world).items():
        assert client.post(url, data).status_code == 404, name
    nothing_changed(world)


def test_another_providers_case_manager_gets_404_on_the_participants_pages(client, scene, world):
    sign_in(client, scene["other_case_manager"])

    for name, url in pages(world).items():
        if name in {"providers", "funds", "approvals"}:
            continue  # their own provider's pages, not this participant's
        assert client.get(url).status_code == 404, name
    for name, (url, data) in posts(world).items():
        if name == "expense_decide":
            continue  # a case manager decides nothing anywhere
        assert client.post(url, data).status_code == 404, name
    nothing_changed(world)


def test_the_same_role_at_another_site_gets_404(client, scene, world):
    outsider = team(None, SiteFactory().organizations.create(name="X", kind="case_management"))
    outsider_sup = team(None, outsider.memberships.get().organization, Role.CM_SUPERVISOR)
    for user in [outsider, outsider_sup]:
        sign_in(client, user)
        for name, url in pages(world).items():
            if name in {"providers", "funds", "approvals"}:
                continue
            assert client.get(url).status_code == 404, name
        for name, (url, data) in posts(world).items():
            assert client.post(url, data).status_code == 404, name
    nothing_changed(world)


def test_the_project_manager_reads_casework_never_money_nor_intakes(client, scene, world):
    sign_in(client, scene["project_manager"])
    urls = pages(world)

    for name in ["plan", "services", "outcomes", "assessment", "providers"]:
        assert client.get(urls[name]).status_code == 200, name
    for name in ["expenses", "receipt", "intake", "intake_domain", "funds", "approvals"]:
        assert client.get(urls[name]).status_code == 404, name
    assessment = client.get(urls["assessment"]).content.decode()
    assert "About housing." in assessment
    assert "About substance_use." not in assessment
    assert "About physical_health." not in assessment
    assert "About income." not in assessment
    assert "About legal." in assessment


def test_a_refused_look_is_audited(client, scene, world):
    sign_in(client, scene["other_case_manager"])

    client.get(pages(world)["plan"])

    assert AuditEvent.objects.filter(
        action="person.view_refused", actor=scene["other_case_manager"]
    ).exists()


# 42 CFR Part 2 ---------------------------------------------------------------------------


@pytest.fixture
def part2_world(scene):
    """A participant whose intake Harbor Recovery, a Part 2 programme, did; later moved
    to Bridgeway, which now holds them."""
    user = scene["part2_case_manager"]
    assessment = completed_intake(scene, user, given="Ana", family="Ruiz")
    person = assessment.person
    services.goal_add(
        actor=user,
        viewer=viewer_of(user),
        person=person,
        domain="substance_use",
        words="Stay on buprenorphine",
    )
    services.snapshot_record(
        actor=user,
        viewer=viewer_of(user),
        person=person,
        outcomes=dataclasses.replace(BASELINE, moud="yes"),
    )
    return {"assessment": assessment, "person": person}


def test_the_part2_programme_reads_its_own_intake(client, scene, part2_world):
    sign_in(client, scene["part2_case_manager"])

    page = client.get(
        reverse("casework_support:assessment", args=[part2_world["assessment"].public_id])
    )

    assert page.status_code == 200
    assert "About substance_use." in page.content.decode()


@pytest.mark.parametrize("who", ["project_manager", "case_manager", "other_case_manager"])
def test_a_part2_programmes_assessment_is_never_shown_outside_it(client, scene, part2_world, who):
    sign_in(client, scene[who])

    page = client.get(
        reverse("casework_support:assessment", args=[part2_world["assessment"].public_id])
    )

    assert page.status_code == 404


def test_after_a_move_the_new_holder_sees_nothing_the_programme_recorded(
    client, scene, part2_world
):
    person = part2_world["person"]
    Enrollment.objects.filter(person=person).update(status="exited")
    Enrollment.objects.create(
        site=scene["site"], person=person, provider=scene["provider"], enrolled_on="2026-01-01"
    )
    sign_in(client, scene["case_manager"])

    plan = client.get(reverse("casework_support:plan", args=[person.public_id]))
    outcomes = client.get(reverse("casework_support:outcomes", args=[person.public_id]))
    assessment = client.get(
        reverse("casework_support:assessment", args=[part2_world["assessment"].public_id])
    )

    assert plan.status_code == 200
    assert "buprenorphine" not in plan.content.decode()
    assert outcomes.status_code == 200
    assert "No snapshot yet" in outcomes.content.decode()
    assert assessment.status_code == 404


def test_a_part2_programmes_draft_intake_is_its_own(client, scene):
    referral = approved_referral(scene, given="Lu", family="Chen")
    user = scene["part2_case_manager"]
    services.intake_start(actor=user, viewer=viewer_of(user), referral=referral)

    for who in ["case_manager", "other_case_manager", "project_manager"]:
        sign_in(client, scene[who])
        for url in [
            reverse("casework_support:intake", args=[referral.public_id]),
            reverse("casework_support:intake_domain", args=[referral.public_id, "substance_use"]),
        ]:
            assert client.get(url).status_code == 404, (who, url)


def test_the_person_page_links_to_what_the_viewer_may_open(client, scene, world):
    url = reverse("people:detail", args=[world["person"].public_id])
    plan = reverse("casework_support:plan", args=[world["person"].public_id])
    money = reverse("casework_support:expenses", args=[world["person"].public_id])

    sign_in(client, scene["case_manager"])
    mine = client.get(url).content.decode()
    sign_in(client, scene["project_manager"])
    office = client.get(url).content.decode()
    sign_in(client, scene["other_case_manager"])
    elsewhere = client.get(url).content.decode()

    assert plan in mine
    assert money in mine
    assert plan in office
    assert money not in office
    assert plan not in elsewhere


# After an exit ---------------------------------------------------------------------------

PARTICIPANT_POSTS = [
    "goal_change",
    "step_add",
    "note_add",
    "step_done",
    "link_update",
    "plan_goal",
    "expense_add",
]


def exit_participant(scene, world) -> None:
    from tandem.casework.services import enrollment_exit

    enrollment = Enrollment.objects.get(person=world["person"])
    enrollment_exit(
        actor=scene["case_manager"],
        viewer=viewer_of(scene["case_manager"]),
        enrollment=enrollment,
        reason="moved",
        on=enrollment.enrolled_on,
    )
    world["last_event"] = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]


@pytest.mark.parametrize("who", ["case_manager", "supervisor"])
def test_the_team_whose_enrollment_ended_reads_the_plan_but_writes_nothing(
    client, scene, world, who
):
    exit_participant(scene, world)
    sign_in(client, scene[who])
    urls = pages(world)

    for name in ["plan", "services", "expenses", "outcomes", "assessment", "receipt"]:
        response = client.get(urls[name])
        assert response.status_code == 200, name
    assert "A room" in client.get(urls["plan"]).text
    for name in PARTICIPANT_POSTS:
        url, data = posts(world)[name]
        # Out of scope, as for anyone else: the page does not even look at the form.
        assert client.post(url, data).status_code == 404, name
    nothing_changed(world)
    assert not AuditEvent.objects.filter(
        seq__gt=world["last_event"], action="expense.recorded"
    ).exists()


def test_the_sweeps_expense_is_recorded_while_the_enrollment_is_open(client, scene, world):
    """The control for the sweeps above: their expense is valid, so a 404 for it after an
    exit (or for anyone outside the team) is the access rule's, not the form's."""
    sign_in(client, scene["case_manager"])
    url, data = posts(world)["expense_add"]

    response = client.post(url, data)

    assert response.status_code == 302
    assert Expense.objects.filter(vendor="Corner Store", amount="12.50").count() == 1


def test_after_an_exit_another_provider_still_gets_404(client, scene, world):
    exit_participant(scene, world)
    sign_in(client, scene["other_case_manager"])
    urls = pages(world)

    for name in ["plan", "services", "expenses", "outcomes", "assessment", "receipt"]:
        assert client.get(urls[name]).status_code == 404, name
