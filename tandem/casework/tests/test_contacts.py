"""Logging, correcting and removing contacts (services): what is stored, what is refused,
and the enrollment's last substantive contact kept in step."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import Contact, Enrollment, EnrollmentEvent
from tandem.casework.services import ContactInput, contact_correct, contact_remove
from tandem.casework.tests.conftest import NOW, TODAY, contact, viewer_of
from tests.factories import OrganizationFactory, member


def test_a_substantive_contact_moves_the_last_substantive_contact_forward(rosa, alice):
    logged = contact(rosa, alice, note="Talked about housing.", place="Bell St")

    rosa.refresh_from_db()
    assert rosa.last_substantive_contact_on == TODAY
    assert logged.recorded_by == alice
    assert logged.recorded_by_organization == rosa.provider
    assert logged.note_audience == "team"
    assert logged.note_category == "casework"


def test_an_attempt_does_not_count_as_a_substantive_contact(rosa, alice):
    contact(rosa, alice, kind="attempt", minutes=0)

    rosa.refresh_from_db()
    assert rosa.last_substantive_contact_on is None
    assert Contact.objects.get().kind == "attempt"


def test_an_older_contact_does_not_move_the_last_contact_back(rosa, alice):
    contact(rosa, alice)
    contact(rosa, alice, at=NOW - dt.timedelta(days=20))

    rosa.refresh_from_db()
    assert rosa.last_substantive_contact_on == TODAY


def test_the_audit_records_the_contact_but_never_the_note(rosa, alice):
    logged = contact(rosa, alice, note="Relapsed last week", note_category="substance_use")

    event = AuditEvent.objects.get(action="contact.logged")
    assert event.target_id == str(logged.public_id)
    assert event.category == "casework"
    assert event.detail["note_category"] == "substance_use"
    assert "Relapsed" not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"at": NOW + dt.timedelta(hours=2)}, "at"),
        ({"at": dt.datetime(2025, 12, 1, 18, 0, tzinfo=dt.UTC)}, "at"),
        ({"minutes": 601}, "minutes"),
        ({"kind": "phone_call"}, "kind"),
        ({"mode": "mars"}, "mode"),
        ({"goal_areas": ("housing", "yachts")}, "goal_areas"),
        ({"links": {"goals": ("not-an-id",)}}, "goals"),
        ({"links": {"goals": (str(uuid.UUID(int=7)),)}}, "goals"),
        ({"links": {"yachts": (str(uuid.UUID(int=7)),)}}, "yachts"),
        ({"note_audience": "police"}, "note_audience"),
        ({"note_category": "demographics"}, "note_category"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(rosa, alice, overrides, field):
    with pytest.raises(ValidationError) as refused:
        contact(rosa, alice, **overrides)

    assert field in refused.value.message_dict
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(action="contact.logged").exists()
    rosa.refresh_from_db()
    assert rosa.last_substantive_contact_on is None


def test_a_draft_sent_twice_is_stored_once(rosa, alice):
    token = uuid.uuid4()

    first = contact(rosa, alice, client_token=token)
    second = contact(rosa, alice, client_token=token)

    assert first.pk == second.pk
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(action="contact.logged").count() == 1


def test_another_providers_case_manager_cannot_log_a_contact(rosa, site_a):
    elsewhere = OrganizationFactory(site=site_a, kind="case_management")
    other = member(Role.CASE_MANAGER, organization=elsewhere)

    with pytest.raises(ValidationError, match="team holding the enrollment"):
        contact(rosa, other)

    assert not Contact.objects.exists()


def test_no_contact_is_logged_after_exit(rosa, alice):
    Enrollment.objects.filter(pk=rosa.pk).update(status="exited", exit_reason="moved")

    with pytest.raises(ValidationError, match="exited"):
        contact(rosa, alice)


def test_a_correction_keeps_the_original_and_recomputes_the_last_contact(rosa, alice):
    original = contact(rosa, alice, at=NOW - dt.timedelta(days=3), minutes=30)
    viewer = viewer_of(alice)

    corrected = contact_correct(
        actor=alice,
        viewer=viewer,
        contact=original,
        data=ContactInput(at=NOW - dt.timedelta(days=3), kind="attempt", mode="street", minutes=5),
        reason="She was not there",
    )

    original.refresh_from_db()
    rosa.refresh_from_db()
    assert original.removed_at is not None
    assert original.removed_reason == "Corrected: She was not there"
    assert corrected.corrects == original
    assert Contact.objects.count() == 2
    # The only substantive contact became an attempt.
    assert rosa.last_substantive_contact_on is None
    assert AuditEvent.objects.filter(action="contact.corrected").count() == 1


def test_a_removed_contact_is_kept_and_no_longer_counts(rosa, alice):
    logged = contact(rosa, alice)

    contact_remove(actor=alice, viewer=viewer_of(alice), contact=logged, reason="Wrong person")

    logged.refresh_from_db()
    rosa.refresh_from_db()
    assert logged.removed_at is not None
    assert rosa.last_substantive_contact_on is None
    assert Contact.objects.filter(pk=logged.pk).exists()


def test_a_removal_needs_a_reason(rosa, alice):
    logged = contact(rosa, alice)

    with pytest.raises(ValidationError):
        contact_remove(actor=alice, viewer=viewer_of(alice), contact=logged, reason="  ")

    logged.refresh_from_db()
    assert logged.removed_at is None


def test_a_substantive_contact_re_engages_an_inactive_participant(rosa, alice):
    Enrollment.objects.filter(pk=rosa.pk).update(status="inactive", inactive_since=TODAY)
    earlier = contact(rosa, alice, kind="attempt", minutes=0)

    contact(rosa, alice)

    rosa.refresh_from_db()
    assert rosa.status == "active"
    assert rosa.inactive_since is None
    assert Contact.objects.filter(pk=earlier.pk).exists()
    assert rosa.events.filter(kind=EnrollmentEvent.Kind.REENGAGED).count() == 1
