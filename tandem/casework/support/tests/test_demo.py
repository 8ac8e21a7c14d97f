"""The demo's casework support: plans, services, expenses within their sources' budgets,
and snapshots that change, for the demo site's participants over two years."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from tandem.casework.models import Enrollment
from tandem.casework.support.demo import seed_support
from tandem.casework.support.models import (
    Expense,
    FundingSource,
    Goal,
    OutcomeSnapshot,
    Plan,
    ServiceLink,
)
from tandem.casework.support.outcomes import Outcomes
from tandem.casework.support.tests.factories import enrolled_person


def test_the_demo_gives_every_enrollment_a_plan_and_history(scene):
    people = [enrolled_person(scene) for _ in range(12)]
    enrolled_person(scene, provider=scene["part2_provider"])

    made = seed_support(rng=random.Random(7), site=scene["site"], today=timezone.localdate())

    assert made == Enrollment.objects.filter(site=scene["site"]).count() == 13
    assert Plan.objects.count() == 13
    assert Goal.objects.exists()
    assert ServiceLink.objects.exists()
    assert Expense.objects.exists()
    assert not Goal.objects.exclude(status__in=["working_on", "achieved", "set_aside"]).exists()
    for source in FundingSource.objects.all():
        spent = Expense.objects.filter(funding_source=source).aggregate(total=Sum("amount"))
        assert (spent["total"] or Decimal("0")) <= source.budget
    for expense in Expense.objects.select_related("funding_source"):
        assert (
            expense.funding_source.starts_on <= expense.spent_on <= expense.funding_source.ends_on
        )
    by_person = defaultdict(list)
    for snapshot in OutcomeSnapshot.objects.order_by("person_id", "taken_on", "id"):
        by_person[snapshot.person_id].append(snapshot)
    assert {person.pk for person in people} <= set(by_person)
    for series in by_person.values():
        assert series[0].source == "intake"
        for before, after in itertools.pairwise(series):
            assert Outcomes.from_snapshot(before) != Outcomes.from_snapshot(after)


def test_the_demos_contacts_touch_their_own_participants_goals_and_services(scene):
    from tandem.casework.demo import seed_casework
    from tandem.casework.support.models import ContactGoal, ContactServiceLink

    for _ in range(12):
        enrolled_person(scene)
    today = timezone.localdate()
    # Seen lately, so the casework demo writes substantive contacts up to then.
    Enrollment.objects.update(last_substantive_contact_on=today - dt.timedelta(days=3))
    seed_casework(random.Random(7), scene["site"], today)

    seed_support(rng=random.Random(7), site=scene["site"], today=today)

    touched = list(ContactGoal.objects.select_related("contact", "goal__plan"))
    followed = list(ContactServiceLink.objects.select_related("contact", "link"))
    assert touched
    assert followed
    for row in touched:
        assert row.goal.plan.enrollment_id == row.contact.enrollment_id
        assert row.contact.kind == "substantive"
        day = timezone.localtime(row.contact.at).date()
        assert row.goal.status == "working_on" or day <= row.goal.status_changed_on
    for follow_up in followed:
        assert follow_up.link.enrollment_id == follow_up.contact.enrollment_id
        assert follow_up.link.referred_on <= timezone.localtime(follow_up.contact.at).date()
