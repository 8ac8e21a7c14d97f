"""The support app dates what it records by the site's calendar, not the server's.

Tests run with the server in America/Los_Angeles (TANDEM_TIME_ZONE). A site in Auckland is
already on tomorrow on a Californian evening, and one in Honolulu is still on yesterday
after a Californian midnight: "today" for an intake, an expense, a goal, a step, a service
link or a snapshot must be the site's date either way, whoever calls the service (a page,
a task, the demo)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.casework.support import services
from tandem.casework.support.tests.factories import (
    BASELINE,
    approved_referral,
    directory_entry,
    enrolled_person,
    funding_source,
    new_scene,
    ready_intake,
    viewer_of,
)
from tandem.legal.models import DivertedChargeHold
from tests.factories import SiteFactory

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def _server_moment(hour: int) -> dt.datetime:
    """`hour` o'clock on the server's calendar the day after tomorrow: later than anything
    the scene wrote, so that no record is dated after the travelled-to moment."""
    day = timezone.localdate() + dt.timedelta(days=2)
    return dt.datetime.combine(day, dt.time(hour), LOS_ANGELES)


def _site_date(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


@pytest.fixture
def ahead(db):
    """A site whose date is the server's tomorrow at 20:00 server time (Auckland)."""
    return new_scene(SiteFactory(time_zone="Pacific/Auckland"))


@pytest.fixture
def behind(db):
    """A site whose date is the server's yesterday at 01:00 server time (Honolulu)."""
    return new_scene(SiteFactory(time_zone="Pacific/Honolulu"))


def test_an_intake_completed_on_the_sites_today_enrolls_and_reaches_the_hold(ahead):
    referral = approved_referral(ahead)
    user = ahead["case_manager"]
    assessment = ready_intake(ahead, user, referral)
    moment = _server_moment(20)
    site_today = _site_date(moment, "Pacific/Auckland")

    with time_machine.travel(moment, tick=False):
        assert timezone.localdate() < site_today  # the server is still on the day before
        services.intake_complete(
            actor=user, viewer=viewer_of(user), assessment=assessment, on=site_today
        )

    assert referral.hold is not None
    hold = DivertedChargeHold.objects.get(pk=referral.hold.pk)
    assert hold.intake_completed_on == site_today
    assessment.refresh_from_db()
    assert assessment.enrollment is not None
    assert assessment.enrollment.enrolled_on == site_today


def test_an_intake_dated_on_the_servers_today_is_refused_where_that_is_still_tomorrow(
    behind,
):
    referral = approved_referral(behind)
    user = behind["case_manager"]
    assessment = ready_intake(behind, user, referral)
    moment = _server_moment(1)

    with time_machine.travel(moment, tick=False):
        server_today = timezone.localdate()
        assert _site_date(moment, "Pacific/Honolulu") < server_today
        with pytest.raises(ValidationError, match="future"):
            services.intake_complete(
                actor=user, viewer=viewer_of(user), assessment=assessment, on=server_today
            )

    assessment.refresh_from_db()
    assert assessment.enrollment is None
    assert referral.hold is not None
    assert DivertedChargeHold.objects.get(pk=referral.hold.pk).intake_completed_on is None


def test_what_is_recorded_without_a_date_takes_the_sites_today(ahead):
    person = enrolled_person(ahead)
    user = ahead["case_manager"]
    viewer = viewer_of(user)
    provider = directory_entry(ahead)
    moment = _server_moment(20)
    site_today = _site_date(moment, "Pacific/Auckland")

    with time_machine.travel(moment, tick=False):
        goal = services.goal_add(
            actor=user, viewer=viewer, person=person, domain="housing", words="A room of my own"
        )
        link = services.service_link_add(
            actor=user,
            viewer=viewer,
            person=person,
            service_provider=provider,
            service_type="housing",
        )
        snapshot = services.snapshot_record(
            actor=user, viewer=viewer, person=person, outcomes=BASELINE
        )

    assert goal.status_changed_on == site_today
    assert link.referred_on == site_today
    assert link.status_on == site_today
    assert snapshot.taken_on == site_today


def test_the_sites_today_is_not_in_the_future_for_a_step_a_link_or_an_expense(ahead):
    person = enrolled_person(ahead)
    user = ahead["case_manager"]
    viewer = viewer_of(user)
    source = funding_source(ahead)
    goal = services.goal_add(
        actor=user, viewer=viewer, person=person, domain="housing", words="A room of my own"
    )
    step = services.step_add(
        actor=user, viewer=viewer, goal=goal, text="Call the housing line", who="participant"
    )
    link = services.service_link_add(
        actor=user,
        viewer=viewer,
        person=person,
        service_provider=directory_entry(ahead),
        service_type="housing",
    )
    moment = _server_moment(20)
    site_today = _site_date(moment, "Pacific/Auckland")

    with time_machine.travel(moment, tick=False):
        step = services.step_done(actor=user, viewer=viewer, step=step, on=site_today)
        link = services.service_link_update(
            actor=user, viewer=viewer, link=link, status="connected", on=site_today
        )
        expense = services.expense_record(
            actor=user,
            viewer=viewer,
            person=person,
            funding_source=source,
            category="motel",
            amount=Decimal("40.00"),
            vendor="Harbor Motel",
            spent_on=site_today,
        )
        with pytest.raises(ValidationError, match="future"):
            services.expense_record(
                actor=user,
                viewer=viewer,
                person=person,
                funding_source=source,
                category="motel",
                amount=Decimal("40.00"),
                vendor="Harbor Motel",
                spent_on=site_today + dt.timedelta(days=1),
            )

    assert step.done_on == site_today
    assert link.status_on == site_today
    assert expense.spent_on == site_today
