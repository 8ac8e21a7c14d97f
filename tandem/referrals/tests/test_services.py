"""The three doors through their services: evaluation with the policy in force, paging,
decisions, the hold, hand-off, enrollment and the periodic sweep."""

from __future__ import annotations

import threading
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tandem.casework.models import Enrollment
from tandem.legal.models import DivertedChargeHold
from tandem.notify.models import Notification
from tandem.notify.sms import outbox as sms_outbox
from tandem.people.models import Person
from tandem.policy.rules import Evaluation, Facts, Outcome, evaluate
from tandem.referrals import services
from tandem.referrals.models import Door, Referral, ReferralEvent, Status
from tandem.referrals.services import Subject
from tandem.referrals.tests.conftest import THEFT, adopt, seattle_rules
from tandem.referrals.tests.helpers import submit, viewer
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_an_eligible_arrest_diversion_pages_whoever_is_on_call(
    lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(lead["officer"])

    assert referral.status == Status.SUBMITTED
    assert Evaluation.from_dict(referral.evaluation).outcome == Outcome.ELIGIBLE
    assert referral.policy_version == lead["version"]
    assert referral.handoff_requested_at is not None
    page = Notification.objects.get(recipient=lead["on_call"], kind="referral-page")
    assert "Rosa" in page.body
    # The SMS carries the subject only: no name, no place.
    assert len(sms_outbox) == 1
    assert "Rosa" not in sms_outbox[0].text
    assert "Bell" not in sms_outbox[0].text
    assert not Notification.objects.filter(recipient=lead["case_manager"]).exists()


def test_an_ineligible_referral_is_kept_and_pages_nobody(lead):
    referral = submit(lead["officer"], grams="3.001")

    assert referral.status == Status.INELIGIBLE
    assert referral.closed_at is not None
    assert referral.handoff_requested_at is None
    reasons = Evaluation.from_dict(referral.evaluation).reasons
    assert any(r.outcome == Outcome.INELIGIBLE and "3" in r.text for r in reasons)
    assert not Notification.objects.exists()


def test_exactly_at_the_quantity_limit_is_eligible(lead):
    assert submit(lead["officer"], grams="3").status == Status.SUBMITTED


def test_missing_quantity_needs_review_never_eligible(lead):
    referral = submit(lead["officer"], grams=None)

    assert Evaluation.from_dict(referral.evaluation).outcome == Outcome.NEEDS_REVIEW
    assert referral.status == Status.SUBMITTED


def test_nobody_on_call_pages_the_supervisors(lead):
    from tandem.referrals.models import OnCallShift

    OnCallShift.objects.all().delete()
    referral = submit(lead["officer"])

    assert Notification.objects.filter(recipient=lead["supervisor"], kind="referral-page").exists()
    assert referral.events.filter(kind="paged", reason__contains="Nobody was on call").exists()


def test_a_door_the_policy_closes_is_refused_and_nothing_is_stored(lead):
    rules = seattle_rules(
        referrers={"arrest": ("police_sergeant",), "social_contact": (), "community": ()}
    )
    adopt(lead["site"], rules, number=2, effective_from=date(2025, 1, 1))

    with pytest.raises(ValidationError, match="does not open this door"):
        submit(lead["officer"])
    with pytest.raises(ValidationError, match="does not open this door"):
        submit(lead["sergeant"], door=Door.SOCIAL_CONTACT)
    assert not Referral.objects.exists()
    assert submit(lead["sergeant"]).status == Status.SUBMITTED


def test_an_arrest_diversion_needs_a_name(lead):
    with pytest.raises(ValidationError, match="given and family name"):
        submit(lead["officer"], given="", family="")
    assert not Referral.objects.exists()


def test_a_social_contact_may_describe_an_unknown_person(lead):
    referral = services.referral_submit(
        actor=lead["officer"],
        viewer=viewer(lead["officer"]),
        door=Door.SOCIAL_CONTACT,
        subject=Subject(description="Tall, green jacket, sleeps by the library"),
        conduct=services.Conduct(offence_codes=(THEFT,)),
        occurred_at=timezone.now(),
        location_text="Central library",
    )
    assert referral.person is None
    assert referral.referred_name == "Name not known"


def test_the_matcher_links_a_sure_match_without_telling_the_officer(lead):
    person = PersonFactory(
        site=lead["site"], given_name="Rosa", family_name="Quintero", date_of_birth=date(1984, 5, 6)
    )
    referral = submit(lead["officer"])
    assert referral.person == person


def test_an_unsure_match_is_left_for_triage(lead):
    PersonFactory(site=lead["site"], given_name="Rosa", family_name="Quintero", date_of_birth=None)
    PersonFactory(site=lead["site"], given_name="Rose", family_name="Quintero", date_of_birth=None)
    referral = submit(lead["officer"], born=None)
    assert referral.person is None


def test_approving_an_arrest_diversion_holds_the_charge_until_the_deadline(lead):
    referral = submit(lead["officer"])
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    referral.refresh_from_db()

    assert referral.status == Status.APPROVED
    assert referral.intake_due_on == timezone.localdate() + timedelta(days=14)
    hold = DivertedChargeHold.objects.get()
    assert referral.hold == hold
    assert hold.deadline == referral.intake_due_on
    assert hold.prosecutor_organization == lead["prosecutor_org"]
    assert "Possession of a controlled substance" in hold.charge_summary
    # The hold is in a person's name: a record was made from the referral.
    assert hold.person == referral.person == Person.objects.get()
    assert Notification.objects.filter(recipient=lead["officer"], kind="referral-decided").exists()


def test_a_social_contact_approval_holds_nothing(lead):
    referral = submit(lead["officer"], door=Door.SOCIAL_CONTACT)
    services.referral_decide(
        actor=lead["project_manager"],
        viewer=viewer(lead["project_manager"]),
        referral=referral,
        approve=True,
        reason="",
    )
    assert not DivertedChargeHold.objects.exists()


def test_only_the_policy_approvers_decide(lead):
    referral = submit(lead["officer"])
    for name in ("officer", "case_manager", "prosecutor"):
        with pytest.raises(ValidationError, match="approver"):
            services.referral_decide(
                actor=lead[name],
                viewer=viewer(lead[name]),
                referral=referral,
                approve=True,
                reason="x",
            )
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_declining_needs_a_reason(lead):
    referral = submit(lead["officer"])
    with pytest.raises(ValidationError, match="why"):
        services.referral_decide(
            actor=lead["sergeant"],
            viewer=viewer(lead["sergeant"]),
            referral=referral,
            approve=False,
            reason=" ",
        )
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=False,
        reason="Active warrant for a violent offence",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decision_reason == "Active warrant for a violent offence"


def test_approving_what_needs_review_needs_a_reason(lead):
    referral = submit(lead["officer"], grams=None)
    with pytest.raises(ValidationError, match="what you checked"):
        services.referral_decide(
            actor=lead["sergeant"],
            viewer=viewer(lead["sergeant"]),
            referral=referral,
            approve=True,
            reason="",
        )
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="Weighed at the precinct: 1.2 g",
    )
    referral.refresh_from_db()
    assert referral.status == Status.APPROVED


def test_a_decided_referral_cannot_be_decided_again(lead):
    referral = submit(lead["officer"])
    sergeant = viewer(lead["sergeant"])
    services.referral_decide(
        actor=lead["sergeant"], viewer=sergeant, referral=referral, approve=True, reason=""
    )
    with pytest.raises(ValidationError, match="cannot take the step"):
        services.referral_decide(
            actor=lead["sergeant"], viewer=sergeant, referral=referral, approve=False, reason="No"
        )
    assert DivertedChargeHold.objects.count() == 1


def test_screening_a_community_referral_evaluates_it_with_the_policy_in_force(lead):
    referral = services.referral_submit_public(
        site=lead["site"],
        client_digest="abc",
        referrer_name="Corner shop",
        referrer_contact="555-0199",
        referrer_relationship="Shop owner",
        subject=Subject(given_name="Sam", family_name="Reed"),
        location_text="Pike St",
        what_happened="Takes food, sleeps in the doorway",
    )
    assert referral.status == Status.SUBMITTED
    assert referral.evaluation == {}
    pm = viewer(lead["project_manager"])
    with pytest.raises(ValidationError, match="Screen the referral first"):
        services.referral_decide(
            actor=lead["project_manager"], viewer=pm, referral=referral, approve=True, reason="ok"
        )

    services.referral_screen(
        actor=lead["project_manager"],
        viewer=pm,
        referral=referral,
        subject=Subject(given_name="Sam", family_name="Reed", approximate_age=40),
        conduct=services.Conduct(offence_codes=(THEFT,)),
    )
    referral.refresh_from_db()
    assert referral.status == Status.SCREENED
    assert Evaluation.from_dict(referral.evaluation).outcome == Outcome.ELIGIBLE

    services.referral_screen(
        actor=lead["project_manager"],
        viewer=pm,
        referral=referral,
        subject=Subject(given_name="Sam", family_name="Reed"),
        conduct=services.Conduct(offence_codes=("RCW 9A.36.021",)),
    )
    referral.refresh_from_db()
    assert referral.status == Status.INELIGIBLE


def test_an_old_decision_replays_with_its_own_policy_version(lead):
    referral = submit(lead["officer"], offence=THEFT, substance="", grams=None)
    assert referral.status == Status.SUBMITTED
    # The site later narrows its list: theft is no longer eligible.
    narrowed = seattle_rules(eligible_offences=seattle_rules().eligible_offences[:1])
    adopt(lead["site"], narrowed, number=2, effective_from=timezone.localdate())

    assert referral.policy_version is not None
    replayed = evaluate(referral.policy_version.policy_rules, Facts.from_dict(referral.facts))
    assert replayed == Evaluation.from_dict(referral.evaluation)
    assert evaluate(narrowed, Facts.from_dict(referral.facts)).outcome == Outcome.INELIGIBLE
    assert (
        submit(lead["officer"], offence=THEFT, substance="", grams=None).status == Status.INELIGIBLE
    )


def test_the_hand_off_is_recorded_in_order(lead):
    referral = submit(lead["officer"])
    cm = viewer(lead["on_call"])
    with pytest.raises(ValidationError, match="Accept the page"):
        services.referral_handoff(
            actor=lead["on_call"], viewer=cm, referral=referral, step="arrived"
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.referral_handoff(
            actor=lead["on_call"], viewer=cm, referral=referral, step="accept"
        )
    with pytest.raises(ValidationError, match="already accepted"):
        services.referral_handoff(
            actor=lead["case_manager"],
            viewer=viewer(lead["case_manager"]),
            referral=referral,
            step="accept",
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=22)):
        services.referral_handoff(
            actor=lead["on_call"], viewer=cm, referral=referral, step="arrived"
        )
        services.referral_handoff(actor=lead["on_call"], viewer=cm, referral=referral, step="done")
    referral.refresh_from_db()
    assert referral.case_manager == lead["on_call"]
    arrived, paged = referral.case_manager_arrived_at, referral.handoff_requested_at
    assert arrived is not None
    assert paged is not None
    minutes = (arrived - paged) / timedelta(minutes=1)
    assert 21 <= minutes <= 23
    assert [e.kind for e in referral.events.all()] == [
        "submitted",
        "paged",
        "handoff_accept",
        "handoff_arrived",
        "handoff_done",
    ]


def test_approval_after_the_hand_off_goes_straight_to_intake_pending(lead):
    referral = submit(lead["officer"])
    cm = viewer(lead["on_call"])
    services.referral_handoff(actor=lead["on_call"], viewer=cm, referral=referral, step="accept")
    services.referral_handoff(actor=lead["on_call"], viewer=cm, referral=referral, step="done")
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    referral.refresh_from_db()
    assert referral.status == Status.INTAKE_PENDING
    assert referral.hold is not None
    assert referral.hold.case_manager == lead["on_call"]


def test_enrolling_hands_over_to_casework_and_tells_the_hold(lead):
    referral = submit(lead["officer"])
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    cm = viewer(lead["case_manager"])
    services.referral_move(actor=lead["case_manager"], viewer=cm, referral=referral, name="located")
    services.referral_enroll(
        actor=lead["case_manager"], viewer=cm, referral=referral, on=timezone.localdate()
    )
    referral.refresh_from_db()

    assert referral.status == Status.ENROLLED
    enrollment = Enrollment.objects.get(person=referral.person)
    assert referral.enrollment == enrollment
    assert enrollment.provider == lead["provider"]
    assert enrollment.case_manager == lead["case_manager"]
    assert referral.hold is not None
    assert referral.hold.intake_completed_on == timezone.localdate()


def test_enrolling_needs_a_person(lead):
    referral = services.referral_submit(
        actor=lead["officer"],
        viewer=viewer(lead["officer"]),
        door=Door.SOCIAL_CONTACT,
        subject=Subject(description="Older man with a cane"),
        conduct=services.Conduct(offence_codes=(THEFT,)),
        occurred_at=timezone.now(),
        location_text="Bus stop",
    )
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    with pytest.raises(ValidationError, match="Link the referral to a person"):
        services.referral_enroll(
            actor=lead["case_manager"],
            viewer=viewer(lead["case_manager"]),
            referral=referral,
            on=timezone.localdate(),
        )
    assert not Enrollment.objects.exists()


def test_the_person_declining_needs_their_words(lead):
    referral = submit(lead["officer"], door=Door.SOCIAL_CONTACT)
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    cm = viewer(lead["case_manager"])
    with pytest.raises(ValidationError, match="what the person said"):
        services.referral_move(
            actor=lead["case_manager"], viewer=cm, referral=referral, name="person_declined"
        )
    services.referral_move(
        actor=lead["case_manager"],
        viewer=cm,
        referral=referral,
        name="person_declined",
        reason="Not now",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED_BY_PERSON


def test_an_unanswered_page_is_escalated_once(lead):
    referral = submit(lead["officer"])
    start = timezone.now()
    assert services.referrals_sweep(start + timedelta(minutes=9)) == 0
    assert services.referrals_sweep(start + timedelta(minutes=11)) == 1
    assert services.referrals_sweep(start + timedelta(minutes=30)) == 0
    referral.refresh_from_db()
    assert referral.handoff_escalated_at is not None
    assert (
        Notification.objects.filter(recipient=lead["supervisor"], kind="referral-page").count() == 1
    )


def test_an_accepted_page_is_never_escalated(lead):
    referral = submit(lead["officer"])
    services.referral_handoff(
        actor=lead["on_call"], viewer=viewer(lead["on_call"]), referral=referral, step="accept"
    )
    assert services.referrals_sweep(timezone.now() + timedelta(hours=1)) == 0


def _approved(lead, **kwargs):
    referral = submit(lead["officer"], **kwargs)
    services.referral_handoff(
        actor=lead["on_call"], viewer=viewer(lead["on_call"]), referral=referral, step="accept"
    )
    services.referral_decide(
        actor=lead["sergeant"],
        viewer=viewer(lead["sergeant"]),
        referral=referral,
        approve=True,
        reason="",
    )
    referral.refresh_from_db()
    return referral


def test_a_referral_expires_the_day_after_its_intake_deadline(lead):
    referral = _approved(lead)
    due = referral.intake_due_on
    assert due is not None
    on_due_day = timezone.make_aware(datetime.combine(due, time(12)))

    with time_machine.travel(on_due_day):
        assert services.referrals_sweep(timezone.now()) == 0
    with time_machine.travel(on_due_day + timedelta(days=1)):
        assert services.referrals_sweep(timezone.now()) == 1
        assert services.referrals_sweep(timezone.now()) == 0
    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert referral.events.get(kind="expire").reason == f"No intake by {due}."


def test_a_referral_expires_by_its_sites_calendar_not_the_servers(lead):
    """The sweep runs on the server's clock for every site: an Auckland site's deadline has
    passed on its own next morning, while the server (Los Angeles under test) is still on
    the due day."""
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    site = lead["site"]
    site.time_zone = "Pacific/Auckland"
    site.save(update_fields=["time_zone"])
    referral = _approved(lead)
    due = referral.intake_due_on
    assert due is not None

    with time_machine.travel(datetime.combine(due, time(23), auckland), tick=False):
        assert services.referrals_sweep(timezone.now()) == 0
    with time_machine.travel(datetime.combine(due + timedelta(days=1), time(6), auckland)):
        assert timezone.localdate() == due
        assert services.referrals_sweep(timezone.now()) == 1
    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED


def test_an_extended_hold_keeps_the_referral_open(lead):
    from tandem.legal.services import hold_dispose

    referral = _approved(lead)
    hold_dispose(
        actor=lead["prosecutor"],
        hold=referral.hold,
        disposition="extended",
        reason="Intake booked",
        extended_to=referral.intake_due_on + timedelta(days=10),
    )
    later = timezone.now() + timedelta(days=16)
    with time_machine.travel(later):
        assert services.referrals_sweep(timezone.now()) == 0
    with time_machine.travel(later + timedelta(days=10)):
        assert services.referrals_sweep(timezone.now()) == 1


def test_enrolled_referrals_never_expire(lead):
    referral = _approved(lead)
    services.referral_enroll(
        actor=lead["on_call"],
        viewer=viewer(lead["on_call"]),
        referral=referral,
        on=timezone.localdate(),
    )
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        assert services.referrals_sweep(timezone.now()) == 0


def test_the_public_form_is_rate_limited_per_address(lead):
    def send(digest):
        return services.referral_submit_public(
            site=lead["site"],
            client_digest=digest,
            referrer_name="Neighbour",
            referrer_contact="555-0101",
            referrer_relationship="",
            subject=Subject(description="Man in a red coat"),
            location_text="Park",
            what_happened="Sleeping outside in the cold",
        )

    for _ in range(services.PUBLIC_FORM_LIMIT):
        send("one")
    with pytest.raises(services.RateLimitedError):
        send("one")
    send("two")
    assert Referral.objects.count() == services.PUBLIC_FORM_LIMIT + 1
    with time_machine.travel(timezone.now() + services.PUBLIC_FORM_WINDOW + timedelta(minutes=1)):
        send("one")


def test_the_public_form_refuses_when_the_community_door_is_closed(lead):
    closed = seattle_rules(
        referrers={"arrest": ("police_officer",), "social_contact": (), "community": ()}
    )
    adopt(lead["site"], closed, number=2, effective_from=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="police partners only"):
        services.referral_submit_public(
            site=lead["site"],
            client_digest="x",
            referrer_name="A",
            referrer_contact="B",
            referrer_relationship="",
            subject=Subject(description="C"),
            location_text="D",
            what_happened="E",
        )


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_give_exactly_one_decision(lead):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks are tested on PostgreSQL")
    referral = submit(lead["officer"])
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(name: str, approve: bool) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.referral_decide(
                actor=lead[name],
                viewer=viewer(lead[name]),
                referral=referral,
                approve=approve,
                reason="Decided",
            )
            outcomes.append(name)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("sergeant", True)),
        threading.Thread(target=act, args=("project_manager", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("refused") == 1
    referral.refresh_from_db()
    assert referral.status in {Status.APPROVED, Status.DECLINED}
    decisions = ReferralEvent.objects.filter(referral=referral, kind__in=["approve", "decline"])
    assert decisions.count() == 1
    assert DivertedChargeHold.objects.count() == (1 if referral.status == Status.APPROVED else 0)


def test_the_approvers_the_policy_names_are_told_a_referral_waits(lead):
    submit(lead["officer"])
    asked = set(
        Notification.objects.filter(kind="referral-decision").values_list("recipient", flat=True)
    )
    assert asked == {lead["sergeant"].pk, lead["project_manager"].pk}


def test_a_prosecutor_approves_where_the_policy_says_so(lead, client):
    from django.urls import reverse

    from tests.factories import sign_in

    santa_fe = seattle_rules(approver_roles=("prosecutor",))
    adopt(lead["site"], santa_fe, number=2, effective_from=date(2025, 1, 1))
    referral = submit(lead["officer"])
    assert Notification.objects.filter(
        recipient=lead["prosecutor"], kind="referral-decision"
    ).exists()
    with pytest.raises(ValidationError, match="approver"):
        services.referral_decide(
            actor=lead["sergeant"],
            viewer=viewer(lead["sergeant"]),
            referral=referral,
            approve=True,
            reason="",
        )
    sign_in(client, lead["prosecutor"])
    assert client.get(reverse("referrals:queue")).status_code == 200
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Approve" in page
    client.post(reverse("referrals:decide", args=[referral.public_id]), {"decision": "approve"})
    referral.refresh_from_db()
    assert referral.status == Status.APPROVED
    # The prosecutor decides; the team's own steps stay the team's.
    assert (
        client.post(reverse("referrals:move", args=[referral.public_id, "located"])).status_code
        == 404
    )
