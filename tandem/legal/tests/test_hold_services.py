"""Holds through their services: what each transition writes, and every refusal with its
message, after which nothing has changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.legal.models import DivertedChargeHold, HoldEvent
from tandem.legal.services import (
    hold_assign_case_manager,
    hold_create,
    hold_dispose,
    hold_intake_completed,
)
from tandem.legal.tests.factories import HoldFactory
from tandem.people.merging import person_merge
from tests.factories import OrganizationFactory, PersonFactory, SiteFactory, member

CHARGE = "RCW 69.50.4013 · Possession of a controlled substance"


@pytest.fixture
def hold(rosa, city_attorney, alice):
    return HoldFactory(person=rosa, prosecutor_organization=city_attorney, case_manager=alice)


def snapshot(hold):
    """Everything a refusal must leave as it was."""
    hold.refresh_from_db()
    return (
        {
            field.attname: getattr(hold, field.attname)
            for field in DivertedChargeHold._meta.concrete_fields
        },
        HoldEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def kinds(hold):
    return list(hold.events.order_by("at", "pk").values_list("kind", flat=True))


# Creating -----------------------------------------------------------------------------------


def test_officer_report_puts_a_charge_in_the_prosecutors_queue(site_a, rosa, city_attorney, bob):
    hold = hold_create(
        actor=bob,
        site=site_a,
        person=rosa,
        prosecutor_organization=city_attorney,
        charge_summary=f"  {CHARGE} ",
        incident_on=dt.date(2026, 5, 30),
        deadline=dt.date(2026, 6, 13),
    )

    assert hold.is_open
    assert hold.charge_summary == CHARGE
    assert hold.case_manager is None
    assert kinds(hold) == ["created"]
    assert hold.events.get().to_date == dt.date(2026, 6, 13)
    event = AuditEvent.objects.get(action="hold.created")
    assert event.target_id == str(hold.public_id)
    assert event.category == "legal"
    assert event.detail["deadline"] == "2026-06-13"


def test_a_hold_created_with_a_case_manager_records_the_assignment(
    site_a, rosa, city_attorney, alice
):
    hold = hold_create(
        actor=None,
        site=site_a,
        person=rosa,
        prosecutor_organization=city_attorney,
        charge_summary=CHARGE,
        incident_on=dt.date(2026, 5, 30),
        deadline=dt.date(2026, 6, 29),
        case_manager=alice,
    )

    assert hold.case_manager == alice
    assert kinds(hold) == ["created", "assigned"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"charge_summary": "  "}, "charge_summary", "Say which charge is held."),
        ({"deadline": dt.date(2026, 5, 30)}, "deadline", "must come after the incident"),
        ({"office": "police"}, "prosecutor_organization", "is not a prosecutor's office"),
        ({"office": "other_site"}, "prosecutor_organization", "belongs to another site"),
        ({"person": "other_site"}, "person", "belongs to another site"),
        ({"case_manager": "police"}, "case_manager", "does not work at a case-management"),
    ],
)
def test_a_bad_hold_is_refused_with_a_clear_message(
    site_a, rosa, city_attorney, bob, change, field, message
):
    arguments = {
        "site": site_a,
        "person": rosa,
        "prosecutor_organization": city_attorney,
        "charge_summary": CHARGE,
        "incident_on": dt.date(2026, 5, 30),
        "deadline": dt.date(2026, 6, 13),
    }
    if change.get("office") == "police":
        arguments["prosecutor_organization"] = OrganizationFactory(site=site_a, kind="police")
    elif change.get("office") == "other_site":
        arguments["prosecutor_organization"] = OrganizationFactory(kind="prosecutor")
    elif change.get("person") == "other_site":
        arguments["person"] = PersonFactory(site=SiteFactory())
    elif change.get("case_manager") == "police":
        arguments["case_manager"] = bob
    else:
        arguments.update(change)

    with pytest.raises(ValidationError) as refused:
        hold_create(actor=bob, **arguments)

    assert any(message in text for text in refused.value.message_dict[field])
    assert not DivertedChargeHold.objects.exists()
    assert not AuditEvent.objects.filter(action="hold.created").exists()


# Declining, filing, extending -----------------------------------------------------------------


def test_prosecutor_declines_and_the_decision_is_recorded(hold, paula):
    decided = hold_dispose(
        actor=paula, hold=hold, disposition="declined", reason="  Intake completed. "
    )

    hold.refresh_from_db()
    assert hold.disposition == "declined"
    assert hold.disposition_reason == "Intake completed."
    assert hold.disposed_by == paula
    assert hold.disposed_at is not None
    assert decided.get_disposition_display() == "Declined"
    assert kinds(hold) == ["created", "declined"]
    assert hold.events.get(kind="declined").by == paula
    assert AuditEvent.objects.filter(action="hold.declined", actor=paula).count() == 1


def test_prosecutor_files_the_charge(hold, paula):
    hold_dispose(actor=paula, hold=hold, disposition="filed", reason="No intake after 14 days.")

    hold.refresh_from_db()
    assert hold.disposition == "filed"
    assert kinds(hold) == ["created", "filed"]
    assert AuditEvent.objects.filter(action="hold.filed").count() == 1


def test_an_extension_moves_the_deadline_keeps_the_hold_open_and_rearms_the_reminders(hold, paula):
    hold.reminded_at = hold.deadline_notice_at = dt.datetime(2026, 5, 31, tzinfo=dt.UTC)
    hold.save()

    hold_dispose(
        actor=paula,
        hold=hold,
        disposition="extended",
        reason="In hospital; intake booked.",
        extended_to=dt.date(2026, 6, 17),
    )

    hold.refresh_from_db()
    assert hold.is_open
    assert hold.deadline == dt.date(2026, 6, 17)
    assert hold.reminded_at is None
    assert hold.deadline_notice_at is None
    event = hold.events.get(kind="extended")
    assert (event.from_date, event.to_date) == (dt.date(2026, 6, 3), dt.date(2026, 6, 17))
    assert event.reason == "In hospital; intake booked."
    audit = AuditEvent.objects.get(action="hold.extended")
    assert audit.detail["from_date"] == "2026-06-03"
    assert audit.detail["to_date"] == "2026-06-17"


def test_an_extended_hold_can_then_be_declined(hold, paula):
    hold_dispose(
        actor=paula,
        hold=hold,
        disposition="extended",
        reason="More time.",
        extended_to=dt.date(2026, 6, 10),
    )
    hold_dispose(actor=paula, hold=hold, disposition="declined", reason="Intake done.")

    hold.refresh_from_db()
    assert hold.disposition == "declined"
    assert kinds(hold) == ["created", "extended", "declined"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"disposition": "withdrawn", "reason": "x"},
            "Choose one: decline, file, or extend the deadline.",
        ),
        ({"disposition": "", "reason": "x"}, "Choose one: decline, file, or extend the deadline."),
        ({"disposition": "declined", "reason": "   "}, "Give a reason for the decision."),
        ({"disposition": "extended", "reason": "More time."}, "Give the new deadline."),
        (
            {"disposition": "filed", "reason": "x", "extended_to": dt.date(2026, 7, 1)},
            "A new deadline goes with an extension only.",
        ),
        (
            {"disposition": "extended", "reason": "x", "extended_to": dt.date(2026, 6, 3)},
            "The new deadline must come after the current one (June 3, 2026).",
        ),
        (
            {"disposition": "extended", "reason": "x", "extended_to": dt.date(2026, 6, 1)},
            "The new deadline must come after the current one (June 3, 2026).",
        ),
    ],
)
def test_an_illegal_decision_is_refused_and_changes_nothing(hold, paula, arguments, message):
    before = snapshot(hold)

    with pytest.raises(ValidationError) as refused:
        hold_dispose(actor=paula, hold=hold, **arguments)

    assert refused.value.messages == [message]
    assert snapshot(hold) == before


@pytest.mark.parametrize("first", ["declined", "filed"])
@pytest.mark.parametrize("second", ["declined", "filed", "extended"])
def test_a_decided_hold_is_final(hold, paula, quentin, first, second):
    hold_dispose(actor=paula, hold=hold, disposition=first, reason="Decided.")
    before = snapshot(hold)
    label = {"declined": "declined", "filed": "filed"}[first]

    with pytest.raises(ValidationError) as refused:
        hold_dispose(
            actor=paula,
            hold=hold,
            disposition=second,
            reason="Again.",
            extended_to=dt.date(2026, 7, 1) if second == "extended" else None,
        )

    assert refused.value.messages == [
        f"This hold was already {label} on June 1, 2026; that decision is final."
    ]
    assert snapshot(hold) == before


def test_a_stale_copy_of_the_hold_cannot_decide_it_again(hold, paula):
    stale = DivertedChargeHold.objects.get(pk=hold.pk)
    hold_dispose(actor=paula, hold=hold, disposition="filed", reason="Filed.")

    with pytest.raises(ValidationError, match="already filed"):
        hold_dispose(actor=paula, hold=stale, disposition="declined", reason="Declined.")

    hold.refresh_from_db()
    assert hold.disposition == "filed"


# Intake and assignment -----------------------------------------------------------------------


def test_intake_completion_is_recorded_without_deciding_the_hold(hold, alice):
    hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 28))

    hold.refresh_from_db()
    assert hold.intake_completed_on == dt.date(2026, 5, 28)
    assert hold.is_open
    assert kinds(hold) == ["created", "intake_completed"]
    assert AuditEvent.objects.filter(action="hold.intake_completed").count() == 1


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (dt.date(2026, 6, 2), "The intake date cannot be in the future."),
        (dt.date(2026, 5, 19), "The intake cannot come before the incident."),
    ],
)
def test_a_wrong_intake_date_is_refused(hold, alice, on, message):
    before = snapshot(hold)

    with pytest.raises(ValidationError) as refused:
        hold_intake_completed(actor=alice, hold=hold, on=on)

    assert refused.value.messages == [message]
    assert snapshot(hold) == before


def test_an_intake_is_recorded_once(hold, alice):
    hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 28))
    before = snapshot(hold)

    with pytest.raises(ValidationError) as refused:
        hold_intake_completed(actor=alice, hold=hold, on=dt.date(2026, 5, 29))

    assert refused.value.messages == [
        "The intake is already recorded as completed on May 28, 2026."
    ]
    assert snapshot(hold) == before


def test_a_new_case_manager_is_assigned_and_will_be_reminded_again(hold, bridgeway, paula):
    hold.reminded_at = dt.datetime(2026, 5, 31, tzinfo=dt.UTC)
    hold.save()
    carmen = member(Role.CASE_MANAGER, organization=bridgeway, username="carmen")

    hold_assign_case_manager(actor=None, hold=hold, user=carmen)

    hold.refresh_from_db()
    assert hold.case_manager == carmen
    assert hold.reminded_at is None
    assert kinds(hold) == ["created", "assigned"]


@pytest.mark.parametrize("who", ["prosecutor", "same", "other_site"])
def test_assigning_someone_who_cannot_be_the_case_manager_is_refused(hold, alice, paula, who):
    user = {
        "prosecutor": paula,
        "same": alice,
        "other_site": member(Role.CASE_MANAGER, site=SiteFactory()),
    }[who]
    before = snapshot(hold)

    with pytest.raises(ValidationError) as refused:
        hold_assign_case_manager(actor=None, hold=hold, user=user)

    expected = (
        "This case manager is already assigned."
        if who == "same"
        else "The case manager does not work at a case-management provider of this site."
    )
    assert refused.value.messages == [expected]
    assert snapshot(hold) == before


def test_assigning_on_a_decided_hold_is_refused(hold, bridgeway, paula):
    hold_dispose(actor=paula, hold=hold, disposition="declined", reason="Done.")
    carmen = member(Role.CASE_MANAGER, organization=bridgeway, username="carmen")

    with pytest.raises(ValidationError, match="already declined"):
        hold_assign_case_manager(actor=None, hold=hold, user=carmen)


# Merging -------------------------------------------------------------------------------------


def test_a_hold_follows_the_person_into_the_surviving_record(hold, rosa, site_a):
    survivor = PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")

    person_merge(actor=None, survivor=survivor, merged=rosa, reason="Same person")

    hold.refresh_from_db()
    assert hold.person == survivor


def test_an_overdue_hold_cannot_be_extended_into_the_past(rosa, city_attorney, paula):
    overdue = HoldFactory(
        person=rosa, prosecutor_organization=city_attorney, deadline=dt.date(2026, 5, 25)
    )
    before = snapshot(overdue)

    with pytest.raises(ValidationError) as refused:
        hold_dispose(
            actor=paula,
            hold=overdue,
            disposition="extended",
            reason="More time.",
            extended_to=dt.date(2026, 5, 28),
        )

    assert refused.value.messages == ["The new deadline cannot be in the past."]
    assert snapshot(overdue) == before
