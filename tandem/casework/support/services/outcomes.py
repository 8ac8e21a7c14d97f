"""Outcome snapshots (DOMAIN.md §8): dated, taken at intake (services.intake) and whenever
something changes, never edited, so that before and after can be compared. A snapshot that
would say what the last one said is not taken."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tandem.access.roles import Purpose
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.support.models import OutcomeSnapshot
from tandem.casework.support.outcomes import Outcomes
from tandem.casework.support.services.holding import held_enrollment
from tandem.people.models import Person


class NothingChangedError(ValidationError):
    """The outcomes are the same as the last snapshot's: none was taken."""


def latest_snapshot(*, person: Person, organization_id: int) -> OutcomeSnapshot | None:
    """The newest snapshot the organisation may compare with: its own, or one recorded
    outside any Part 2 programme (whatever a Part 2 programme records stays inside it)."""
    return (
        OutcomeSnapshot.objects.filter(person=person)
        .filter(
            Q(recorded_by_organization_id=organization_id)
            | Q(recorded_by_organization__is_part2_program=False)
        )
        .order_by("-taken_on", "-id")
        .first()
    )


@transaction.atomic
def snapshot_record(
    *,
    actor: User | None,
    viewer: Viewer | None,
    person: Person,
    outcomes: Outcomes,
    taken_on: dt.date | None = None,
) -> OutcomeSnapshot:
    """A new snapshot, dated `taken_on` (today), if anything changed since the last one;
    NothingChangedError otherwise."""
    enrollment = held_enrollment(viewer=viewer, person=person)
    today = enrollment.site.today()
    taken_on = taken_on or today
    outcomes.check()
    if taken_on > today:
        raise ValidationError({"taken_on": "That date is in the future."})
    latest = latest_snapshot(person=person, organization_id=enrollment.provider_id)
    if latest is not None:
        if taken_on < latest.taken_on:
            raise ValidationError(
                {
                    "taken_on": f"The last snapshot is dated {latest.taken_on:%Y-%m-%d}; a new "
                    "one is dated that day or later."
                }
            )
        if Outcomes.from_snapshot(latest) == outcomes:
            raise NothingChangedError(
                f"Nothing changed since the snapshot of {latest.taken_on:%Y-%m-%d}, so no new "
                "snapshot was taken."
            )
    snapshot = OutcomeSnapshot(
        site_id=enrollment.site_id,
        person_id=enrollment.person_id,
        enrollment=enrollment,
        taken_on=taken_on,
        source=OutcomeSnapshot.Source.UPDATE,
        recorded_by=actor,
        recorded_by_organization_id=enrollment.provider_id,
        **{**outcomes.to_dict(), "income_benefits": list(outcomes.income_benefits)},
    )
    snapshot.full_clean()
    snapshot.save()
    audit_record(
        actor=actor,
        site=snapshot.site_id,
        action="outcome_snapshot.recorded",
        target=snapshot,
        category="casework",
        purpose=Purpose.CARE_COORDINATION,
        detail={
            "changed": outcomes.changes_from(Outcomes.from_snapshot(latest)) if latest else [],
        },
    )
    return snapshot
