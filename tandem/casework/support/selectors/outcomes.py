"""Reads of outcome snapshots: every dated snapshot, each measure shown only if decide()
allows its category (housing to the project manager, overdoses only to the holding team),
and the first beside the latest, for before and after."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.casework.support.domains import IncomeSource
from tandem.casework.support.models import SNAPSHOT_FIELDS, OutcomeSnapshot
from tandem.casework.support.outcomes import Outcomes
from tandem.casework.support.selectors.participant import (
    PersonHeader,
    disclose_read,
    participant_for,
    visible,
)

SNAPSHOT_LIMIT = 200


def _display(snapshot: OutcomeSnapshot, name: str) -> str:
    value = getattr(snapshot, name)
    if name == "income_benefits":
        labels = dict(IncomeSource.choices)
        return ", ".join(labels.get(v, v) for v in value) or "Not known"
    if name in {"overdoses_90d", "ed_visits_90d"}:
        return "Not known" if value is None else str(value)
    return str(getattr(snapshot, f"get_{name}_display")())


@dataclass(frozen=True, slots=True)
class SnapshotShown:
    public_id: uuid.UUID
    taken_on: dt.date
    source_label: str
    recorded_by: str
    values: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Comparison:
    label: str
    before: str
    after: str
    changed: bool


@dataclass(frozen=True, slots=True)
class OutcomesPage:
    person: PersonHeader
    snapshots: list[SnapshotShown]
    # (measure, first snapshot, latest snapshot): before and after.
    comparison: list[Comparison]
    fields: list[tuple[str, str]]
    # The latest measures, to start the form from: for the holding team only, who may see
    # every measure.
    latest_outcomes: Outcomes | None = None
    part2_notice: Part2Notice | None = None

    @property
    def latest(self) -> SnapshotShown | None:
        return self.snapshots[0] if self.snapshots else None

    @property
    def first(self) -> SnapshotShown | None:
        return self.snapshots[-1] if self.snapshots else None


def outcomes_page(*, viewer: Viewer, person_id: uuid.UUID) -> OutcomesPage:
    participant = participant_for(
        viewer=viewer, person_id=person_id, needs=Category.CASEWORK, page="outcomes"
    )
    fields = [
        (name, label) for name, label, category in SNAPSHOT_FIELDS if participant.sees(category)
    ]
    rows = (
        OutcomeSnapshot.objects.filter(person=participant.person)
        .select_related("recorded_by", "recorded_by_organization")
        .order_by("-taken_on", "-id")[:SNAPSHOT_LIMIT]
    )
    kept = [
        snapshot
        for snapshot in rows
        if visible(
            viewer=viewer,
            participant=participant,
            category=Category.CASEWORK,
            recorder_id=snapshot.recorded_by_organization_id,
            recorder_is_part2=snapshot.recorded_by_organization.is_part2_program,
        )
    ]
    snapshots = [
        SnapshotShown(
            public_id=snapshot.public_id,
            taken_on=snapshot.taken_on,
            source_label=snapshot.get_source_display(),
            recorded_by=str(snapshot.recorded_by or ""),
            values=[(label, _display(snapshot, name)) for name, label in fields],
        )
        for snapshot in kept
    ]
    comparison = []
    if len(kept) > 1:
        first, latest = kept[-1], kept[0]
        comparison = [
            Comparison(
                label=label,
                before=_display(first, name),
                after=_display(latest, name),
                changed=getattr(first, name) != getattr(latest, name),
            )
            for name, label in fields
        ]
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown={category for name, _, category in SNAPSHOT_FIELDS if participant.sees(category)},
        action="outcome_snapshots.viewed",
        category=Category.CASEWORK,
        count=len(snapshots),
    )
    return OutcomesPage(
        person=participant.header(),
        snapshots=snapshots,
        comparison=comparison,
        fields=fields,
        latest_outcomes=Outcomes.from_snapshot(kept[0]) if kept and participant.may_write else None,
        part2_notice=notice,
    )
