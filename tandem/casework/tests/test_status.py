"""Status without failing out (DOMAIN.md §5): inactive after the site's N days without a
substantive contact, re-engagement that keeps everything, and exits only for a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.audit.models import AuditEvent
from tandem.casework.models import Contact, Enrollment, EnrollmentEvent, ExitReason
from tandem.casework.services import enrollment_exit, enrollment_reengage
from tandem.casework.tests.conftest import TODAY, contact, viewer_of
from tandem.core.periodic import run_due
from tandem.notify.models import Notification
from tandem.policy.tests.factories import PolicyVersionFactory, sample_rules


def run_inactivity(now: dt.datetime) -> int | None:
    return run_due(now, only="casework.inactivity", force=True)["casework.inactivity"]


def midday(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on, dt.time(19, 0), tzinfo=dt.UTC)


def test_a_participant_becomes_inactive_after_the_default_90_days(rosa, alice, frozen_today):
    contact(rosa, alice)  # today, 1 June

    frozen_today.move_to(midday(TODAY + dt.timedelta(days=90)))
    assert run_inactivity(midday(TODAY + dt.timedelta(days=90))) == 0
    rosa.refresh_from_db()
    assert rosa.status == "active"

    later = TODAY + dt.timedelta(days=91)
    frozen_today.move_to(midday(later))
    assert run_inactivity(midday(later)) == 1

    rosa.refresh_from_db()
    assert rosa.status == "inactive"
    assert rosa.inactive_since == later
    event = rosa.events.get(kind=EnrollmentEvent.Kind.INACTIVE)
    assert "90 days" in event.reason
    assert event.by is None
    assert AuditEvent.objects.filter(action="enrollment.inactive").count() == 1
    # The case manager hears of it, without the participant's name in the subject.
    notice = Notification.objects.get(recipient=alice, kind="casework-inactive")
    assert "Quintero" not in notice.subject


def test_the_job_is_idempotent(rosa, frozen_today):
    later = TODAY + dt.timedelta(days=200)
    frozen_today.move_to(midday(later))

    assert run_inactivity(midday(later)) == 1
    assert run_inactivity(midday(later)) == 0

    assert rosa.events.filter(kind=EnrollmentEvent.Kind.INACTIVE).count() == 1


def test_without_any_contact_the_days_count_from_the_enrollment(rosa, frozen_today):
    # Enrolled 5 January; 91 days later is 6 April.
    frozen_today.move_to(midday(dt.date(2026, 4, 5)))
    assert run_inactivity(midday(dt.date(2026, 4, 5))) == 0
    frozen_today.move_to(midday(dt.date(2026, 4, 6)))
    assert run_inactivity(midday(dt.date(2026, 4, 6))) == 1


def test_the_sites_policy_sets_the_number_of_days(rosa, alice, site_a, frozen_today):
    PolicyVersionFactory(site=site_a, rules=sample_rules(inactivity_days=30).to_dict())
    contact(rosa, alice)

    later = TODAY + dt.timedelta(days=31)
    frozen_today.move_to(midday(later))

    assert run_inactivity(midday(later)) == 1
    rosa.refresh_from_db()
    assert rosa.status == "inactive"


def test_an_attempt_does_not_keep_a_participant_active(rosa, alice, frozen_today):
    contact(rosa, alice)
    later = TODAY + dt.timedelta(days=91)
    frozen_today.move_to(midday(later))
    contact(rosa, alice, kind="attempt", minutes=5, at=midday(later) - dt.timedelta(hours=2))

    assert run_inactivity(midday(later)) == 1


def test_re_engagement_makes_them_active_with_all_history_kept(rosa, alice, frozen_today):
    first = contact(rosa, alice)
    later = TODAY + dt.timedelta(days=120)
    frozen_today.move_to(midday(later))
    run_inactivity(midday(later))

    enrollment_reengage(
        actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason="Found her at the shelter"
    )

    rosa.refresh_from_db()
    assert rosa.status == "active"
    assert rosa.inactive_since is None
    assert list(rosa.events.values_list("kind", flat=True)) == ["inactive", "reengaged"]
    assert Contact.objects.filter(pk=first.pk, removed_at__isnull=True).exists()
    assert rosa.last_substantive_contact_on == TODAY


def test_only_an_inactive_participant_is_re_engaged(rosa, alice):
    with pytest.raises(ValidationError, match="inactive"):
        enrollment_reengage(actor=alice, viewer=viewer_of(alice), enrollment=rosa)


@pytest.mark.parametrize(
    "reason",
    [ExitReason.MOVED, ExitReason.DECEASED, ExitReason.INCARCERATION, ExitReason.CHOSE_TO_LEAVE],
)
def test_an_exit_needs_and_keeps_an_explicit_reason(rosa, alice, reason):
    enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=reason)

    rosa.refresh_from_db()
    assert rosa.status == "exited"
    assert rosa.exit_reason == reason
    assert rosa.exited_on == TODAY
    assert rosa.events.get(kind="exited").exit_reason == reason
    assert AuditEvent.objects.filter(action="enrollment.exited").exists()


def test_other_needs_words(rosa, alice):
    with pytest.raises(ValidationError) as refused:
        enrollment_exit(
            actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=ExitReason.OTHER, text=" "
        )

    assert "text" in refused.value.message_dict
    rosa.refresh_from_db()
    assert rosa.status == "active"

    enrollment_exit(
        actor=alice,
        viewer=viewer_of(alice),
        enrollment=rosa,
        reason=ExitReason.OTHER,
        text="Went home to family",
    )
    rosa.refresh_from_db()
    assert rosa.exit_reason_text == "Went home to family"


@pytest.mark.parametrize("reason", ["", "noncompliance", "failed"])
def test_an_exit_without_a_known_reason_is_refused(rosa, alice, reason):
    with pytest.raises(ValidationError):
        enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=reason)

    rosa.refresh_from_db()
    assert rosa.status == "active"
    assert not EnrollmentEvent.objects.filter(kind="exited").exists()


def test_non_participation_ends_participation_only_where_the_policy_says_so(rosa, alice, site_a):
    with pytest.raises(ValidationError, match="no one fails LEAD"):
        enrollment_exit(
            actor=alice,
            viewer=viewer_of(alice),
            enrollment=rosa,
            reason=ExitReason.NONPARTICIPATION,
        )
    rosa.refresh_from_db()
    assert rosa.status == "active"

    PolicyVersionFactory(
        site=site_a,
        rules=sample_rules(ends_participation_for_nonparticipation=True).to_dict(),
    )
    enrollment_exit(
        actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=ExitReason.NONPARTICIPATION
    )

    rosa.refresh_from_db()
    assert rosa.exit_reason == ExitReason.NONPARTICIPATION


def test_an_exited_enrollment_cannot_exit_again(rosa, alice):
    enrollment_exit(actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=ExitReason.MOVED)

    with pytest.raises(ValidationError, match="already exited"):
        enrollment_exit(
            actor=alice, viewer=viewer_of(alice), enrollment=rosa, reason=ExitReason.DECEASED
        )


def test_the_job_leaves_inactive_and_exited_participants_alone(rosa, bridgeway, frozen_today):
    Enrollment.objects.filter(pk=rosa.pk).update(status="exited", exit_reason="moved")
    later = TODAY + dt.timedelta(days=400)
    frozen_today.move_to(midday(later))

    assert run_inactivity(midday(later)) == 0
