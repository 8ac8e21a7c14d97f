"""A body that tells something of a participant is shown in the inbox only while its
recipient may still read it, and each inbox view that shows such bodies is audited.

Three ways of deciding, by what the notification records: a person and a category
(decide()), a referral (who may open it), a diverted-charge hold (the office's own holds)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tandem.access.roles import Category, Role
from tandem.audit.models import AuditEvent, Disclosure
from tandem.casework.models import Enrollment
from tandem.consent.services import consent_revoke
from tandem.legal.tasks import holds_sweep
from tandem.legal.tests.factories import HoldFactory
from tandem.notify.models import Notification
from tandem.notify.selectors import NO_ACCESS as NO_ACCESS_TEXT
from tandem.notify.services import notify
from tandem.notify.tests.factories import NotificationFactory
from tandem.people.merging import person_merge
from tandem.referrals.models import Door, Referral
from tandem.referrals.tests.conftest import adopt, seattle_rules
from tandem.referrals.tests.helpers import submit
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    add_totp,
    member,
)

INBOX = "/inbox/"
SUBJECT = "Something about one of your participants"
BODY = "Rosa Quintero (born 1985-02-03) must complete the intake by June 10."
READ = "notification.inbox_read"
# As the page writes it (the apostrophe escaped).
NO_ACCESS = escape(NO_ACCESS_TEXT)


@pytest.fixture
def rosa(site_a):
    return PersonFactory(
        site=site_a,
        given_name="Rosa",
        family_name="Quintero",
        date_of_birth=dt.date(1985, 2, 3),
    )


@pytest.fixture
def enrollment(rosa, bridgeway, alice):
    return EnrollmentFactory(person=rosa, provider=bridgeway, case_manager=alice)


@pytest.fixture
def harbor(site_a):
    return OrganizationFactory(site=site_a, kind="case_management", name="Harbor Clinic")


@pytest.fixture
def city_attorney(site_a):
    return OrganizationFactory(site=site_a, kind="prosecutor", name="City Attorney")


@pytest.fixture
def pam(city_attorney):
    user = member(Role.PROSECUTOR, organization=city_attorney, username="pam")
    add_totp(user)
    return user


def tell(user, **about):
    [notification] = notify(
        site=user.memberships.get().site,
        recipients=[user],
        kind="test-about",
        subject=SUBJECT,
        body=BODY,
        url="/people/",
        **about,
    )
    return notification


def move(user, organization, role=None):
    """The user's membership at the site moves to another organisation (and role)."""
    Membership.objects.filter(user=user).update(
        organization=organization, **({"role": role} if role else {})
    )


def assert_withheld(response):
    assert response.status_code == 200
    assert "Rosa" not in response.text
    assert "Quintero" not in response.text
    assert NO_ACCESS in response.text
    assert SUBJECT in response.text
    # Only a way to mark it read, no link to follow.
    assert ">\n                Mark read\n" in response.text
    assert "Open" not in response.text


def reads():
    return list(AuditEvent.objects.filter(action=READ).order_by("seq"))


# A person and a category: decide() ------------------------------------------------------


def test_the_holding_team_reads_the_body_and_each_view_is_audited(
    client, login, alice, rosa, enrollment
):
    tell(alice, person=rosa, category=Category.CASEWORK)
    client = login(alice)

    first = client.get(INBOX)
    client.get(INBOX)

    assert BODY in first.text
    assert NO_ACCESS not in first.text
    assert "Open" in first.text
    events = reads()
    assert len(events) == 2
    event = events[0]
    assert event.actor_id == alice.pk
    assert (event.category, event.purpose) == ("identity", "care_coordination")
    assert event.detail["people"] == [str(rosa.public_id)]
    assert event.detail["categories"] == ["casework"]
    assert event.detail["count"] == 1


def test_once_another_provider_holds_the_participant_the_former_team_no_longer_reads_it(
    client, login, alice, rosa, enrollment, harbor
):
    tell(alice, person=rosa, category=Category.CASEWORK)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.EXITED)
    EnrollmentFactory(person=rosa, provider=harbor, enrolled_on=dt.date(2026, 3, 1))

    response = login(alice).get(INBOX)

    assert_withheld(response)
    assert reads() == []


def test_a_case_manager_moved_to_another_provider_no_longer_reads_it(
    client, login, alice, rosa, enrollment, harbor
):
    tell(alice, person=rosa, category=Category.CASEWORK)
    move(alice, harbor)

    response = login(alice).get(INBOX)

    assert_withheld(response)
    assert reads() == []


def test_who_the_person_is_and_whom_to_call_stays_readable_by_another_provider(
    client, login, alice, rosa, enrollment, harbor
):
    # decide(): every case-management team sees the enrollment and identity of the site's
    # participants, so "X is now on your caseload" stays readable after a move; the
    # casework of the same person does not (the test above).
    tell(alice, person=rosa, category=Category.ENROLLMENT)
    move(alice, harbor)

    response = login(alice).get(INBOX)

    assert BODY in response.text


def test_a_defender_no_longer_reads_it_once_the_release_is_revoked(
    client, login, site_a, alice, rosa, enrollment, bridgeway
):
    office = OrganizationFactory(site=site_a, kind="defender", name="Public Defense")
    dora = member(Role.DEFENDER, organization=office, username="dora")
    add_totp(dora)
    consent = ConsentFactory(person=rosa, recorded_by_organization=bridgeway)
    ConsentGrantFactory(
        consent=consent, organization=office, categories=["enrollment", "identity", "legal"]
    )
    tell(dora, person=rosa, category=Category.LEGAL)
    client = login(dora)

    before = client.get(INBOX)
    consent_revoke(actor=alice, consent=consent, reason="Rosa asked to stop sharing.")
    after = client.get(INBOX)

    assert BODY in before.text
    assert reads()[0].purpose == "legal_coordination"
    assert_withheld(after)
    assert len(reads()) == 1


def test_a_body_needs_the_identity_too(client, login, site_a, rosa, enrollment, bridgeway):
    # A release naming the office for legal matters only: the body names the person, so
    # it stays withheld.
    office = OrganizationFactory(site=site_a, kind="defender")
    dora = member(Role.DEFENDER, organization=office)
    add_totp(dora)
    consent = ConsentFactory(person=rosa, recorded_by_organization=bridgeway)
    ConsentGrantFactory(consent=consent, organization=office, categories=["legal"])
    tell(dora, person=rosa, category=Category.LEGAL)

    assert_withheld(login(dora).get(INBOX))


def test_opening_a_withheld_notification_marks_it_read_and_follows_no_link(
    client, login, alice, rosa, enrollment, harbor
):
    notification = tell(alice, person=rosa, category=Category.CASEWORK)
    move(alice, harbor)
    client = login(alice)

    response = client.post(reverse("notify:read", args=[notification.public_id]))

    assert response["Location"] == INBOX
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_readable_notification_follows_its_link(client, login, alice, rosa, enrollment):
    notification = tell(alice, person=rosa, category=Category.CASEWORK)

    response = login(alice).post(reverse("notify:read", args=[notification.public_id]))

    assert response["Location"] == "/people/"


def test_a_part2_programmes_participant_is_withheld_from_another_provider_without_consent(
    client, login, alice, rosa, harbor
):
    harbor.is_part2_program = True
    harbor.save(update_fields=["is_part2_program"])
    EnrollmentFactory(person=rosa, provider=harbor)
    tell(alice, person=rosa, category=Category.ENROLLMENT)

    assert_withheld(login(alice).get(INBOX))
    assert not Disclosure.objects.exists()


def test_under_the_programmes_consent_it_is_shown_with_the_notice_and_a_disclosure(
    client, login, alice, rosa, harbor, bridgeway
):
    harbor.is_part2_program = True
    harbor.save(update_fields=["is_part2_program"])
    EnrollmentFactory(person=rosa, provider=harbor)
    consent = ConsentFactory(person=rosa, recorded_by_organization=harbor)
    ConsentGrantFactory(consent=consent, organization=bridgeway, categories=["enrollment"])
    tell(alice, person=rosa, category=Category.ENROLLMENT)

    response = login(alice).get(INBOX)

    assert BODY in response.text
    assert "42 CFR part 2" in response.text
    disclosure = Disclosure.objects.get()
    assert (disclosure.person_id, disclosure.recipient_user_id) == (rosa.pk, alice.pk)
    assert disclosure.consent_id == consent.pk
    assert disclosure.read_event.action == READ


def test_after_a_merge_the_survivor_is_decided_on(client, login, site_a, alice, rosa, enrollment):
    duplicate = PersonFactory(site=site_a, given_name="Rosie", family_name="Kintero")
    notification = tell(alice, person=duplicate, category=Category.CASEWORK)
    assert_withheld(login(alice).get(INBOX))  # nobody holds the duplicate record

    person_merge(actor=None, survivor=rosa, merged=duplicate, reason="Same person")

    notification.refresh_from_db()
    assert notification.person == rosa
    assert BODY in client.get(INBOX).text


# A referral: who may open it ------------------------------------------------------------


@pytest.fixture
def referral_scene(site_a):
    adopt(site_a, seattle_rules())
    harbor_pd = OrganizationFactory(site=site_a, kind="police", name="Harbor PD")
    sheriff = OrganizationFactory(site=site_a, kind="police", name="Sheriff")
    officer = member(Role.POLICE_OFFICER, organization=harbor_pd, username="oscar")
    sergeant = member(Role.POLICE_SERGEANT, organization=harbor_pd, username="sarge")
    add_totp(sergeant)
    return {"officer": officer, "sergeant": sergeant, "sheriff": sheriff}


def test_the_approver_reads_the_referral_and_the_read_lists_it(client, login, referral_scene):
    referral = submit(referral_scene["officer"])
    sergeant = referral_scene["sergeant"]

    response = login(sergeant).get(INBOX)

    notification = Notification.objects.get(recipient=sergeant, kind="referral-decision")
    assert notification.referral == referral
    assert "Arrest diversion · Rosa Quintero" in response.text
    [event] = reads()
    assert event.detail["referrals"] == [str(referral.public_id)]
    assert event.detail["people"] == []  # nobody on record yet: the referral stands for them


def test_a_sergeant_moved_to_another_department_no_longer_reads_its_referral(
    client, login, referral_scene
):
    submit(referral_scene["officer"])
    sergeant = referral_scene["sergeant"]
    move(sergeant, referral_scene["sheriff"])

    response = login(sergeant).get(INBOX)

    assert "Rosa" not in response.text
    assert NO_ACCESS in response.text
    assert reads() == []


# A hold: the prosecutor's office --------------------------------------------------------


def test_the_prosecutors_office_reads_its_hold_notice_without_a_release(
    client, login, pam, rosa, city_attorney
):
    hold = HoldFactory(person=rosa, prosecutor_organization=city_attorney)
    with time_machine.travel(dt.datetime(2026, 6, 3, 17, 0, tzinfo=dt.UTC), tick=False):
        assert holds_sweep(timezone.now()) == 1

    response = login(pam).get(INBOX)

    notification = Notification.objects.get(recipient=pam)
    assert (notification.hold, notification.person, notification.category) == (
        hold,
        rosa,
        "legal",
    )
    assert "Rosa Quintero (born 1985-02-03)" in response.text
    [event] = reads()
    assert event.detail["holds"] == [str(hold.public_id)]
    assert event.detail["people"] == [str(rosa.public_id)]


def test_a_prosecutor_moved_to_another_office_no_longer_reads_the_hold_notice(
    client, login, site_a, pam, rosa, city_attorney
):
    HoldFactory(person=rosa, prosecutor_organization=city_attorney)
    with time_machine.travel(dt.datetime(2026, 6, 3, 17, 0, tzinfo=dt.UTC), tick=False):
        holds_sweep(timezone.now())
    move(pam, OrganizationFactory(site=site_a, kind="prosecutor", name="County Prosecutor"))

    response = login(pam).get(INBOX)

    assert "Rosa" not in response.text
    assert NO_ACCESS in response.text
    assert reads() == []


# Notifications about nobody -------------------------------------------------------------


def test_a_notification_about_nobody_shows_its_body_and_audits_no_read(client, login, alice):
    # Also every notification written before notifications recorded whom they are about.
    NotificationFactory(site=alice.memberships.get().site, recipient=alice, body="Team lunch")

    response = login(alice).get(INBOX)

    assert "Team lunch" in response.text
    assert reads() == []


# The query budget -----------------------------------------------------------------------


def _about_people(alice, bridgeway, rows):
    elsewhere = OrganizationFactory(site=bridgeway.site, kind="case_management")
    for index in range(rows):
        person = PersonFactory(site=bridgeway.site)
        # Half of them held by the viewer's provider, half by another: both answers given.
        EnrollmentFactory(person=person, provider=bridgeway if index % 2 == 0 else elsewhere)
        NotificationFactory(
            site=bridgeway.site, recipient=alice, person=person, category="casework"
        )
    return alice


def _about_referrals(alice, bridgeway, rows):
    for _ in range(rows):
        referral = Referral.objects.create(
            site=bridgeway.site,
            door=Door.COMMUNITY,
            given_name="Rosa",
            family_name="Quintero",
            occurred_at=timezone.now(),
        )
        NotificationFactory(
            site=bridgeway.site, recipient=alice, referral=referral, category="whereabouts"
        )
    return alice


def _about_holds(alice, bridgeway, rows):
    office = OrganizationFactory(site=bridgeway.site, kind="prosecutor")
    prosecutor = member(Role.PROSECUTOR, organization=office)
    add_totp(prosecutor)
    for _ in range(rows):
        hold = HoldFactory(
            person=PersonFactory(site=bridgeway.site), prosecutor_organization=office
        )
        NotificationFactory(
            site=bridgeway.site,
            recipient=prosecutor,
            hold=hold,
            person=hold.person,
            category="legal",
        )
    return prosecutor


# The session, the user, the membership (with the menu's unread count), the notifications,
# the one query of the way of deciding (the people with their enrollments and releases, the
# referrals in scope, or the holds in scope), then the audit event: lock the chain's head,
# write the event, move the head. Eight, however many notifications.
QUERIES = 8


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(
    "scene", [_about_people, _about_referrals, _about_holds], ids=["person", "referral", "hold"]
)
def test_the_inbox_costs_the_same_queries_for_1_and_50_notifications(
    client, login, alice, bridgeway, django_assert_num_queries, rows, scene
):
    reader = scene(alice, bridgeway, rows)
    client = login(reader)
    # Once before counting: the site's policy (whom it makes approvers, for the referrals'
    # scope) is read once per process and then cached.
    client.get(INBOX)

    with django_assert_num_queries(QUERIES):
        response = client.get(INBOX)

    assert response.text.count('class="badge badge-unread"') == rows


# What leaves the machine ----------------------------------------------------------------


def test_email_and_sms_about_a_participant_carry_no_participant_data(
    alice, rosa, enrollment, sms_outbox, django_capture_on_commit_callbacks
):
    alice.email, alice.phone = "alice@bridgeway.example", "+1 555 0101"
    alice.save(update_fields=["email", "phone"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            site=rosa.site,
            recipients=[alice],
            kind="test-about",
            subject=SUBJECT,
            body=BODY,
            url="/people/",
            channels=["email", "sms"],
            person=rosa,
            category=Category.CASEWORK,
        )

    sent = [mail.outbox[0].message().as_string(), *(sms.text for sms in sms_outbox)]
    assert len(sent) == 2
    for text in sent:
        assert SUBJECT in text
        assert "Rosa" not in text
        assert "Quintero" not in text
        assert "1985" not in text


def test_the_send_is_audited_against_the_person(alice, rosa, enrollment):
    tell(alice, person=rosa, category=Category.CASEWORK)

    event = AuditEvent.objects.get(action="notification.sent")

    assert (event.target_type, event.target_id, event.category) == (
        "people.person",
        str(rosa.public_id),
        "casework",
    )


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("about", "message"),
    [
        ({"category": Category.CASEWORK}, "A category is about someone"),
        ({"person": "rosa"}, "Say which category"),
        ({"person": "rosa", "category": "gossip"}, "Say which category"),
        ({"person": "stranger", "category": "casework"}, "another site"),
        ({"referral": "referral", "hold": "hold", "category": "legal"}, "not both"),
    ],
)
def test_what_a_notification_is_about_is_checked_and_nothing_is_written(
    alice, rosa, site_b, city_attorney, about, message
):
    records = {
        "rosa": rosa,
        "stranger": PersonFactory(site=site_b),
        "referral": Referral.objects.create(
            site=rosa.site, door=Door.COMMUNITY, occurred_at=timezone.now()
        ),
        "hold": HoldFactory(person=rosa, prosecutor_organization=city_attorney),
    }
    about = {key: records.get(value, value) for key, value in about.items()}

    with pytest.raises(ValidationError, match=message):
        tell(alice, **about)

    assert not Notification.objects.exists()
