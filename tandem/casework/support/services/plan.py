"""The participant's plan (DOMAIN.md §5): goals in their own words per domain, steps and who
does them, progress notes. A goal is worked on, achieved or set aside, never failed; every
change is a PlanEvent that keeps the words before and after."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.models import Enrollment
from tandem.casework.support.domains import DOMAIN_CATEGORY, Domain
from tandem.casework.support.models import Goal, Plan, PlanEvent, ProgressNote, Step
from tandem.casework.support.services.holding import held_enrollment
from tandem.people.models import Person

WORDS_MAX = 2000


def _plan_for(enrollment: Enrollment, actor: User | None) -> Plan:
    plan = Plan.objects.filter(enrollment=enrollment).first()
    if plan is None:
        plan = Plan.objects.create(
            site_id=enrollment.site_id,
            person_id=enrollment.person_id,
            enrollment=enrollment,
            created_by=actor,
        )
    return plan


def _event(
    goal: Goal,
    kind: str,
    *,
    actor: User | None,
    organization_id: int,
    before: str = "",
    after: str = "",
    step: Step | None = None,
    at: dt.datetime | None = None,
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan_id=goal.plan_id,
        person_id=goal.plan.person_id,
        goal=goal,
        step=step,
        kind=kind,
        category=goal.category,
        before=before,
        after=after,
        at=at or timezone.now(),
        by=actor,
        by_organization_id=organization_id,
    )


def _audit(actor: User | None, goal: Goal, action: str, **detail: str) -> None:
    audit_record(
        actor=actor,
        site=goal.plan.site_id,
        action=action,
        target=goal,
        category=goal.category,
        purpose=Purpose.CARE_COORDINATION,
        detail={"domain": goal.domain, **detail},
    )


def _goal_for_change(viewer: Viewer | None, goal: Goal) -> tuple[Goal, Enrollment]:
    """The goal, locked, and its open enrollment (whose holder is the one writing)."""
    locked = Goal.objects.select_for_update(of=("self",)).select_related("plan").get(pk=goal.pk)
    enrollment = held_enrollment(viewer=viewer, person=Person(pk=locked.plan.person_id))
    if enrollment.pk != locked.plan.enrollment_id:
        raise ValidationError("This goal belongs to an earlier enrollment; it is history now.")
    return locked, enrollment


def _words(words: str) -> str:
    words = words.strip()
    if not words:
        raise ValidationError({"words": "Write the goal as the participant says it."})
    if len(words) > WORDS_MAX:
        raise ValidationError({"words": f"Keep the goal under {WORDS_MAX} characters."})
    return words


@transaction.atomic
def goal_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    person: Person,
    domain: str,
    words: str,
    on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Goal:
    """A new goal, being worked on, in the participant's own words."""
    enrollment = held_enrollment(viewer=viewer, person=person)
    if domain not in Domain.values:
        raise ValidationError({"domain": "Choose the area of life the goal is about."})
    words = _words(words)
    plan = _plan_for(enrollment, actor)
    goal = Goal(
        plan=plan,
        domain=domain,
        category=DOMAIN_CATEGORY[domain],
        words=words,
        status=Goal.Status.WORKING_ON,
        status_changed_on=on or enrollment.site.today(),
        recorded_by_organization_id=enrollment.provider_id,
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    _event(
        goal,
        PlanEvent.Kind.GOAL_ADDED,
        actor=actor,
        organization_id=enrollment.provider_id,
        after=words,
        at=at,
    )
    _audit(actor, goal, "plan.goal_added")
    return goal


@transaction.atomic
def goal_reword(*, actor: User | None, viewer: Viewer | None, goal: Goal, words: str) -> Goal:
    """The participant puts the goal another way; the earlier words stay in the history."""
    goal, enrollment = _goal_for_change(viewer, goal)
    words = _words(words)
    if words == goal.words:
        return goal
    before = goal.words
    goal.words = words
    goal.full_clean()
    goal.save(update_fields=["words", "updated_at"])
    _event(
        goal,
        PlanEvent.Kind.GOAL_REWORDED,
        actor=actor,
        organization_id=enrollment.provider_id,
        before=before,
        after=words,
    )
    _audit(actor, goal, "plan.goal_reworded")
    return goal


@transaction.atomic
def goal_set_status(
    *,
    actor: User | None,
    viewer: Viewer | None,
    goal: Goal,
    status: str,
    on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Goal:
    """Working on, achieved or set aside, and back: change is not linear, and no goal fails."""
    goal, enrollment = _goal_for_change(viewer, goal)
    if status not in Goal.Status.values:
        raise ValidationError(
            {"status": "A goal is being worked on, achieved or set aside; nothing else."}
        )
    if status == goal.status:
        raise ValidationError({"status": f"The goal is already “{goal.get_status_display()}”."})
    before = goal.get_status_display()
    goal.status = status
    goal.status_changed_on = on or enrollment.site.today()
    goal.full_clean()
    goal.save(update_fields=["status", "status_changed_on", "updated_at"])
    _event(
        goal,
        PlanEvent.Kind.GOAL_STATUS,
        actor=actor,
        organization_id=enrollment.provider_id,
        before=before,
        after=goal.get_status_display(),
        at=at,
    )
    _audit(actor, goal, "plan.goal_status", status=status)
    return goal


@transaction.atomic
def step_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    goal: Goal,
    text: str,
    who: str,
    who_detail: str = "",
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Step:
    goal, enrollment = _goal_for_change(viewer, goal)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what the step is."})
    if who not in Step.Who.values:
        raise ValidationError({"who": "Say who does it."})
    if who == Step.Who.PARTNER and not who_detail.strip():
        raise ValidationError({"who_detail": "Name the partner who does it."})
    step = Step(
        goal=goal,
        text=text,
        who=who,
        who_detail=who_detail.strip(),
        due_on=due_on,
        created_by=actor,
    )
    step.full_clean()
    step.save()
    _event(
        goal,
        PlanEvent.Kind.STEP_ADDED,
        actor=actor,
        organization_id=enrollment.provider_id,
        after=f"{text} ({step.get_who_display().lower()})",
        step=step,
        at=at,
    )
    _audit(actor, goal, "plan.step_added")
    return step


@transaction.atomic
def step_done(
    *,
    actor: User | None,
    viewer: Viewer | None,
    step: Step,
    on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Step:
    step = Step.objects.select_for_update().get(pk=step.pk)
    goal, enrollment = _goal_for_change(viewer, step.goal)
    if step.done_on is not None:
        raise ValidationError(f"This step was done on {step.done_on:%Y-%m-%d}.")
    today = enrollment.site.today()
    on = on or today
    if on > today:
        raise ValidationError({"on": "That date is in the future."})
    step.done_on = on
    step.save(update_fields=["done_on", "updated_at"])
    _event(
        goal,
        PlanEvent.Kind.STEP_DONE,
        actor=actor,
        organization_id=enrollment.provider_id,
        after=step.text,
        step=step,
        at=at,
    )
    _audit(actor, goal, "plan.step_done")
    return step


@transaction.atomic
def progress_note_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    goal: Goal,
    text: str,
    at: dt.datetime | None = None,
) -> ProgressNote:
    goal, enrollment = _goal_for_change(viewer, goal)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    note = ProgressNote(
        goal=goal,
        text=text,
        written_at=at or timezone.now(),
        written_by=actor,
        written_by_organization_id=enrollment.provider_id,
    )
    note.full_clean()
    note.save()
    _event(
        goal,
        PlanEvent.Kind.NOTE_ADDED,
        actor=actor,
        organization_id=enrollment.provider_id,
        after=text,
        at=note.written_at,
    )
    _audit(actor, goal, "plan.note_added")
    return note
