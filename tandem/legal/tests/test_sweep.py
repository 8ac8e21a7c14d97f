"""The holds sweep on the site's calendar (America/Los_Angeles, UTC-7 in June): the case
manager is reminded N days before the deadline (the site's policy, 3 by default), the
prosecutor's office is told on the deadline day; each once, for open holds only."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from tandem.access.roles import Role
from tandem.core.periodic import registered_jobs
from tandem.legal.models import HoldEvent
from tandem.legal.services import hold_assign_case_manager, hold_dispose, hold_intake_completed
from tandem.legal.tasks import LATE_NOTICE_SUBJECT, NOTICE_SUBJECT, REMINDER_SUBJECT, holds_sweep
from tandem.legal.tests.factories import HoldFactory
from tandem.notify.models import Notification
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import PolicyRules
from tests.factories import OrganizationFactory, PersonFactory, SiteFactory, member

LA = dt.timezone(dt.timedelta(hours=-7))
DEADLINE = dt.date(2026, 6, 10)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on the site's wall clock in June 2026."""
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=LA)


@pytest.fixture
def sweep(frozen_today):
    def run(when: dt.datetime) -> int:
        frozen_today.move_to(when)
        return holds_sweep(when)

    return run


@pytest.fixture
def pam(city_attorney):
    return member(Role.PROSECUTOR, organization=city_attorney, username="pam")


@pytest.fixture
def hold(rosa, city_attorney, alice):
    return HoldFactory(
        person=rosa, prosecutor_organization=city_attorney, case_manager=alice, deadline=DEADLINE
    )


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_the_sweep_is_registered_to_run_every_quarter_hour():
    job = registered_jobs()["legal.holds_sweep"]

    assert job.every == dt.timedelta(minutes=15)
    assert job.function is holds_sweep


def test_case_manager_is_reminded_exactly_three_days_before_and_not_a_day_earlier(
    sweep, hold, alice
):
    assert sweep(local(6, 23, 59)) == 0
    hold.refresh_from_db()
    assert hold.reminded_at is None
    assert inbox(alice) == []

    assert sweep(local(7, 0, 5)) == 1

    hold.refresh_from_db()
    assert hold.reminded_at == local(7, 0, 5)
    [notification] = inbox(alice)
    assert notification.subject == REMINDER_SUBJECT
    assert "Rosa" not in notification.subject
    assert "Rosa Quintero (born 1985-02-03) must complete the intake by June 10, 2026" in (
        notification.body
    )
    assert "3 days left" in notification.body
    assert notification.url == f"/people/{hold.person.public_id}/"
    assert hold.events.filter(kind=HoldEvent.Kind.REMINDED).count() == 1


def test_a_second_run_sends_nothing_more(sweep, hold, alice):
    sweep(local(7, 9))

    assert sweep(local(7, 9, 15)) == 0
    assert sweep(local(8, 9)) == 0
    assert len(inbox(alice)) == 1


def test_the_sites_policy_sets_how_early_the_reminder_comes(sweep, site_a, hold, alice):
    rules = replace(PolicyRules.default(), intake_reminder_days=5)
    PolicyVersion.objects.create(
        site=site_a,
        number=1,
        effective_from=dt.date(2026, 1, 1),
        rules=rules.to_dict(),
        pcg_decided_on=dt.date(2025, 12, 15),
        pcg_reference="PCG minutes, item 4",
    )

    assert sweep(local(4, 12)) == 0
    assert sweep(local(5, 12)) == 1
    assert "5 days left" in inbox(alice)[0].body


def test_prosecutors_of_the_office_are_told_on_the_deadline_day_in_the_sites_time_zone(
    sweep, hold, paula, pam, quentin, dana, alice
):
    hold.reminded_at = local(7, 0)
    hold.save()
    # 06:30 UTC on 10 June is still 9 June in Los Angeles.
    assert sweep(dt.datetime(2026, 6, 10, 6, 30, tzinfo=dt.UTC)) == 0
    hold.refresh_from_db()
    assert hold.deadline_notice_at is None

    assert sweep(local(10, 0, 5)) == 2

    hold.refresh_from_db()
    assert hold.deadline_notice_at == local(10, 0, 5)
    for prosecutor in (paula, pam):
        [notification] = inbox(prosecutor)
        assert notification.subject == NOTICE_SUBJECT
        assert "Rosa" not in notification.subject
        assert notification.body.startswith("Rosa Quintero (born 1985-02-03): RCW 69.50.4013")
        assert "No intake is recorded." in notification.body
        assert notification.url == f"/legal/holds/{hold.public_id}/"
    assert inbox(quentin) == []
    assert inbox(dana) == []
    assert inbox(alice) == []
    assert hold.events.filter(kind=HoldEvent.Kind.DEADLINE_NOTICE).count() == 1
    assert sweep(local(10, 0, 20)) == 0


def test_a_notice_missed_on_the_day_goes_out_late_with_its_own_subject(sweep, hold, paula):
    hold.reminded_at = local(7, 0)
    hold.save()

    assert sweep(local(12, 8)) == 1

    assert inbox(paula)[0].subject == LATE_NOTICE_SUBJECT


def test_an_inactive_prosecutor_is_not_told(sweep, hold, paula, pam):
    pam.memberships.update(is_active=False)

    # The reminder to alice (never sent before) and the notice to paula, not pam.
    assert sweep(local(10, 8)) == 2

    assert len(inbox(paula)) == 1
    assert inbox(pam) == []


def test_an_extension_rearms_the_reminder_and_the_notice(sweep, hold, paula, alice):
    assert sweep(local(10, 8)) == 2  # reminder and notice, both late enough to go at once
    hold_dispose(
        actor=paula,
        hold=hold,
        disposition="extended",
        reason="Intake booked for the 18th.",
        extended_to=dt.date(2026, 6, 20),
    )

    assert sweep(local(16, 12)) == 0
    assert sweep(local(17, 0, 5)) == 1
    assert sweep(local(20, 0, 5)) == 1

    assert len(inbox(alice)) == 2
    assert len(inbox(paula)) == 2


@pytest.mark.parametrize("disposition", ["declined", "filed"])
def test_a_decided_hold_is_never_reminded_nor_noticed(sweep, hold, paula, alice, disposition):
    hold_dispose(actor=paula, hold=hold, disposition=disposition, reason="Decided early.")

    assert sweep(local(7, 9)) == 0
    assert sweep(local(10, 9)) == 0
    assert sweep(local(20, 9)) == 0

    hold.refresh_from_db()
    assert hold.reminded_at is None
    assert hold.deadline_notice_at is None
    assert Notification.objects.count() == 0


def test_a_completed_intake_stops_the_reminder_but_the_prosecutor_is_still_told(
    sweep, hold, alice, paula
):
    hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 28))

    assert sweep(local(7, 9)) == 0
    assert sweep(local(10, 9)) == 1

    assert inbox(alice) == []
    assert "The intake was completed on May 28, 2026." in inbox(paula)[0].body


def test_a_hold_without_a_case_manager_is_reminded_once_one_is_assigned(
    sweep, rosa, city_attorney, alice
):
    hold = HoldFactory(person=rosa, prosecutor_organization=city_attorney, deadline=DEADLINE)
    assert sweep(local(7, 9)) == 0

    hold_assign_case_manager(actor=None, hold=hold, user=alice)

    assert sweep(local(8, 9)) == 1
    assert len(inbox(alice)) == 1


def test_holds_of_other_sites_follow_their_own_calendar_and_are_otherwise_untouched(
    sweep, hold, paula
):
    tokyo = SiteFactory(time_zone="Asia/Tokyo")
    office = OrganizationFactory(site=tokyo, kind="prosecutor")
    tokyo_prosecutor = member(Role.PROSECUTOR, organization=office)
    due = HoldFactory(
        person=PersonFactory(site=tokyo),
        prosecutor_organization=office,
        deadline=dt.date(2026, 6, 11),
    )
    later = HoldFactory(
        person=PersonFactory(site=tokyo),
        prosecutor_organization=office,
        deadline=dt.date(2026, 6, 30),
    )
    site_a_hold = HoldFactory(
        person=PersonFactory(site=hold.site),
        prosecutor_organization=hold.prosecutor_organization,
        deadline=dt.date(2026, 6, 11),
    )

    # 15:30 UTC on 10 June: already 11 June in Tokyo, still 10 June in Los Angeles.
    sent = sweep(dt.datetime(2026, 6, 10, 15, 30, tzinfo=dt.UTC))

    for row in (due, later, site_a_hold, hold):
        row.refresh_from_db()
    assert due.deadline_notice_at is not None
    assert later.deadline_notice_at is None
    assert later.reminded_at is None
    assert site_a_hold.deadline_notice_at is None
    assert hold.deadline_notice_at is not None  # site A's own deadline day
    assert len(inbox(tokyo_prosecutor)) == 1
    assert len(inbox(paula)) == 1
    assert sent == 3  # alice's reminder, paula's notice, the Tokyo prosecutor's notice


def test_one_hold_that_cannot_be_sent_does_not_stop_the_others(
    sweep, monkeypatch, hold, site_a, city_attorney, alice, paula
):
    from tandem.notify.services import notify as real_notify

    other = HoldFactory(
        person=PersonFactory(site=site_a, given_name="Omar", family_name="Other"),
        prosecutor_organization=city_attorney,
        case_manager=alice,
        deadline=DEADLINE,
    )

    def failing_for_rosa(**kwargs):
        if "Rosa" in kwargs["body"]:
            raise RuntimeError("mail server on fire")
        return real_notify(**kwargs)

    monkeypatch.setattr("tandem.legal.tasks.notify", failing_for_rosa)

    with pytest.raises(RuntimeError, match=r"failed for 1 hold"):
        sweep(local(10, 8))

    hold.refresh_from_db()
    other.refresh_from_db()
    assert hold.reminded_at is None
    assert hold.deadline_notice_at is None
    assert not hold.events.filter(kind__in=["reminded", "deadline_notice"]).exists()
    assert other.reminded_at is not None
    assert other.deadline_notice_at is not None
