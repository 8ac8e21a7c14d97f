"""Reads of a participant's plan: goals (each shown only if decide() allows its domain's
category and the Part 2 rule allows whoever recorded it), their steps and progress notes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch

from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.casework.support.domains import DOMAIN_CATEGORY, Domain
from tandem.casework.support.models import Goal, ProgressNote, Step
from tandem.casework.support.selectors.participant import (
    Participant,
    PersonHeader,
    disclose_read,
    participant_for,
    visible,
)

GOAL_LIMIT = 200


@dataclass(frozen=True, slots=True)
class PlanStepShown:
    public_id: uuid.UUID
    text: str
    who: str
    due_on: dt.date | None
    done_on: dt.date | None


@dataclass(frozen=True, slots=True)
class NoteShown:
    text: str
    written_at: dt.datetime
    written_by: str


@dataclass(frozen=True, slots=True)
class GoalShown:
    public_id: uuid.UUID
    domain: str
    domain_label: str
    words: str
    status: str
    status_label: str
    status_changed_on: dt.date
    current: bool
    steps: list[PlanStepShown] = field(default_factory=list)
    notes: list[NoteShown] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlanPage:
    person: PersonHeader
    goals: list[GoalShown]
    # The domains a goal can be added in: those whose category the viewer may see.
    domains: list[tuple[str, str]]
    part2_notice: Part2Notice | None = None

    @property
    def working_on(self) -> list[GoalShown]:
        return [goal for goal in self.goals if goal.status == Goal.Status.WORKING_ON]

    @property
    def others(self) -> list[GoalShown]:
        return [goal for goal in self.goals if goal.status != Goal.Status.WORKING_ON]


def _who(step: Step) -> str:
    label = step.get_who_display()
    return f"{label}: {step.who_detail}" if step.who_detail else label


def plan_page(*, viewer: Viewer, person_id: uuid.UUID) -> PlanPage:
    participant = participant_for(
        viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="plan"
    )
    goals = (
        Goal.objects.filter(plan__person=participant.person)
        .select_related("plan", "recorded_by_organization")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("done_on", "created_at", "id")),
            Prefetch(
                "notes",
                queryset=ProgressNote.objects.select_related("written_by").order_by(
                    "-written_at", "-id"
                ),
            ),
        )
        .order_by("-plan__created_at", "created_at", "id")[:GOAL_LIMIT]
    )
    shown: list[GoalShown] = []
    labels = dict(Domain.choices)
    for goal in goals:
        if not visible(
            viewer=viewer,
            participant=participant,
            category=goal.category,
            recorder_id=goal.recorded_by_organization_id,
            recorder_is_part2=goal.recorded_by_organization.is_part2_program,
        ):
            continue
        shown.append(
            GoalShown(
                public_id=goal.public_id,
                domain=goal.domain,
                domain_label=labels[goal.domain],
                words=goal.words,
                status=goal.status,
                status_label=goal.get_status_display(),
                status_changed_on=goal.status_changed_on,
                current=goal.plan.enrollment_id == participant.open_enrollment_id,
                steps=[
                    PlanStepShown(s.public_id, s.text, _who(s), s.due_on, s.done_on)
                    for s in goal.steps.all()
                ],
                notes=[
                    NoteShown(n.text, n.written_at, str(n.written_by or ""))
                    for n in goal.notes.all()
                ],
            )
        )
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown={Category(DOMAIN_CATEGORY[goal.domain]) for goal in shown} | {Category.CASEWORK},
        action="plan.viewed",
        category=Category.CASEWORK,
        goals=len(shown),
    )
    domains = [
        (value, label)
        for value, label in Domain.choices
        if DOMAIN_CATEGORY[value] in participant.categories
    ]
    return PlanPage(person=participant.header(), goals=shown, domains=domains, part2_notice=notice)


def goal_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> tuple[Goal, Participant]:
    """A goal the viewer's team may change: the participant is theirs and the goal's
    category is one decide() allows them."""
    goal = (
        Goal.objects.filter(plan__site_id=viewer.site_id, public_id=public_id)
        .select_related("plan", "plan__person")
        .first()
    )
    if goal is None:
        raise OutOfScope("No such goal.")
    participant = participant_for(
        viewer=viewer, person_id=goal.plan.person.public_id, needs=Category.CASEWORK, page="plan"
    )
    if not participant.may_write or goal.category not in participant.categories:
        raise OutOfScope("No such goal.")
    return goal, participant


def step_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> tuple[Step, Participant]:
    step = (
        Step.objects.filter(goal__plan__site_id=viewer.site_id, public_id=public_id)
        .select_related("goal")
        .first()
    )
    if step is None:
        raise OutOfScope("No such step.")
    _, participant = goal_for_change(viewer=viewer, public_id=step.goal.public_id)
    return step, participant
