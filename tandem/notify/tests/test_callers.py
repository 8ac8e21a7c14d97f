"""Every notification whose body tells something of a participant records what it is about,
as sent by the service or the job that writes it, so that the inbox can decide it later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from django.utils.html import escape

from tandem.access.roles import Category, Role
from tandem.access.viewer import Viewer
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_assign
from tandem.casework.support import services as support
from tandem.casework.support.tests.factories import (
    enrolled_person,
    funding_source,
    new_scene,
)
from tandem.consent.notices import NoticeTarget, contact_notice_send
from tandem.consent.tasks import consent_expiry_reminders
from tandem.legal.tasks import holds_sweep
from tandem.legal.tests.factories import HoldFactory
from tandem.notify.models import Notification
from tandem.notify.selectors import NO_ACCESS
from tandem.referrals.models import Door, Referral
from tandem.referrals.services import Subject as Referred
from tandem.referrals.services import referral_submit_public
from tandem.referrals.tests.conftest import adopt, seattle_rules
from tandem.referrals.tests.helpers import submit
from tests.factories import (
    ConsentFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    member,
)


def viewer_of(user) -> Viewer:
    return Viewer.from_membership(user.memberships.select_related("organization", "user").get())


def about(notification: Notification) -> tuple[object, ...]:
    return (notification.person, notification.category, notification.referral, notification.hold)


@pytest.fixture
def rosa(site_a):
    return PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")


def test_a_new_caseload_records_the_participant_and_the_enrollment(bridgeway, alice, rosa):
    supervisor = member(Role.CM_SUPERVISOR, organization=bridgeway)
    enrollment = EnrollmentFactory(person=rosa, provider=bridgeway)

    enrollment_assign(
        actor=supervisor,
        viewer=viewer_of(supervisor),
        enrollment=enrollment,
        case_manager=alice,
    )

    notice = Notification.objects.get(kind="caseload-assigned")
    assert about(notice) == (rosa, Category.ENROLLMENT, None, None)


def test_a_police_referral_records_the_referral_for_the_page_and_the_approvers(site_a, bridgeway):
    adopt(site_a, seattle_rules())
    police = OrganizationFactory(site=site_a, kind="police")
    officer = member(Role.POLICE_OFFICER, organization=police)
    member(Role.POLICE_SERGEANT, organization=police)
    member(Role.CM_SUPERVISOR, organization=bridgeway)  # paged: nobody is on call

    referral = submit(officer)

    page = Notification.objects.get(kind="referral-page")
    decision = Notification.objects.get(kind="referral-decision")
    assert about(page) == (None, Category.WHEREABOUTS, referral, None)
    assert about(decision) == (None, Category.LEGAL, referral, None)


def test_a_community_referral_records_the_referral(site_a):
    adopt(site_a, seattle_rules())
    member(Role.PROJECT_MANAGER, site=site_a)

    referral = referral_submit_public(
        site=site_a,
        client_digest="digest",
        referrer_name="Sam",
        referrer_contact="555-0199",
        referrer_relationship="Neighbour",
        subject=Referred(given_name="Rosa", family_name="Quintero"),
        location_text="Bell St",
        what_happened="Sleeping outside in the cold.",
    )

    triage = Notification.objects.get(kind="referral-triage")
    assert about(triage) == (None, Category.WHEREABOUTS, referral, None)


def test_the_hold_sweep_records_the_hold_for_the_office_and_the_referral_for_the_team(
    site_a, alice, rosa
):
    office = OrganizationFactory(site=site_a, kind="prosecutor")
    member(Role.PROSECUTOR, organization=office)
    from_referral = HoldFactory(
        person=rosa,
        prosecutor_organization=office,
        case_manager=alice,
        deadline=dt.date(2026, 6, 5),
    )
    referral = Referral.objects.create(
        site=site_a, door=Door.ARREST, occurred_at=timezone.now(), hold=from_referral
    )
    without = HoldFactory(
        person=PersonFactory(site=site_a),
        prosecutor_organization=office,
        case_manager=alice,
        deadline=dt.date(2026, 6, 5),
    )

    with time_machine.travel(dt.datetime(2026, 6, 3, 17, 0, tzinfo=dt.UTC), tick=False):
        holds_sweep(timezone.now())
    with time_machine.travel(dt.datetime(2026, 6, 5, 17, 0, tzinfo=dt.UTC), tick=False):
        holds_sweep(timezone.now())

    reminders = {n.person_id: n for n in Notification.objects.filter(kind="hold-reminder")}
    assert about(reminders[rosa.pk]) == (rosa, Category.LEGAL, referral, None)
    # A hold made without a referral (none is, outside tests) is decided on the person.
    assert about(reminders[without.person_id]) == (without.person, Category.LEGAL, None, None)
    notices = {n.hold_id: n for n in Notification.objects.filter(kind="hold-deadline")}
    assert about(notices[from_referral.pk]) == (rosa, Category.LEGAL, None, from_referral)


def test_a_release_about_to_end_is_withheld_once_another_provider_holds_the_person(
    client, login, site_a, bridgeway, alice, rosa
):
    enrollment = EnrollmentFactory(person=rosa, provider=bridgeway, case_manager=alice)
    today = timezone.localdate()
    ConsentFactory(
        person=rosa,
        recorded_by_organization=bridgeway,
        effective_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=10),
    )
    assert consent_expiry_reminders(timezone.now()) == 1
    reminder = Notification.objects.get(kind="consent-expiring")
    assert about(reminder) == (rosa, Category.CASEWORK, None, None)
    client = login(alice)

    before = client.get("/inbox/")
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.EXITED)
    EnrollmentFactory(person=rosa, provider=OrganizationFactory(site=site_a))
    after = client.get("/inbox/")

    assert "Rosa Quintero&#x27;s release" in before.text
    assert "Rosa" not in after.text
    assert escape(NO_ACCESS) in after.text


def test_expenses_record_the_participant_and_the_financial_category(client, login, db):
    scene = new_scene(OrganizationFactory().site)
    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="250.00")
    case_manager, supervisor = scene["case_manager"], scene["supervisor"]

    expense = support.expense_record(
        actor=case_manager,
        viewer=viewer_of(case_manager),
        person=person,
        funding_source=source,
        category="motel",
        amount=Decimal("300.00"),
        vendor="Harbor Motel",
        spent_on=timezone.localdate(),
    )
    support.expense_decide(
        actor=supervisor, viewer=viewer_of(supervisor), expense=expense, approve=True
    )

    for kind in ("expense-approval", "expense-decided"):
        notice = Notification.objects.get(kind=kind)
        assert about(notice) == (person, Category.FINANCIAL, None, None)
    # The supervisor reads the line while the provider holds the participant, not after.
    client = login(supervisor)
    assert "$300.00" in client.get("/inbox/").text
    Enrollment.objects.filter(person=person).update(provider=scene["other_provider"])
    after = client.get("/inbox/").text
    assert "$300.00" not in after
    assert escape(NO_ACCESS) in after


def test_a_police_contact_notice_records_the_participant_and_whereabouts(
    bob, bridgeway, alice, rosa
):
    EnrollmentFactory(person=rosa, provider=bridgeway, case_manager=alice)

    contact_notice_send(
        actor=bob,
        viewer=viewer_of(bob),
        target=NoticeTarget(person=rosa, provider=bridgeway, reason="Welfare check"),
        kind="welfare",
        text="Sleeping at the bus shelter in the cold.",
    )

    notice = Notification.objects.get(kind="contact-notice", recipient=alice)
    assert about(notice) == (rosa, Category.WHEREABOUTS, None, None)
