"""The casework app's part of every participant's timeline: contacts (and their notes),
enrollment changes (status, assignment, transfer, exit) and referrals. All three are
`TimelineQuery`s, so together they cost the page one query. What each entry may show is
decided in tandem.casework.timeline, not here."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.casework.contact_links import links_by_contact
from tandem.casework.models import GOAL_AREAS, SERVICES_GIVEN, Contact, EnrollmentEvent, ExitReason
from tandem.casework.timeline import (
    TimelineEntry,
    TimelineQuery,
    json_list,
    register_timeline_query,
)
from tandem.referrals.models import Door, ReferralEvent, Status


def _name(row: dict[str, Any], prefix: str) -> str:
    full = " ".join(p for p in (row.get(f"{prefix}_first"), row.get(f"{prefix}_last")) if p)
    return full or row.get(f"{prefix}_username") or "nobody"


def _person_fields(prefix: str, path: str) -> dict[str, str]:
    return {
        f"{prefix}_first": f"{path}__first_name",
        f"{prefix}_last": f"{path}__last_name",
        f"{prefix}_username": f"{path}__username",
    }


# Contacts --------------------------------------------------------------------------------

_KINDS = dict(Contact.Kind.choices)
_MODES = dict(Contact.Mode.choices)


def _contact_rows(viewer: Viewer, person: Any) -> QuerySet[Contact]:
    return Contact.objects.filter(person_id=person.pk, removed_at__isnull=True)


def _with_links(person: Any, rows: list[dict[str, Any]]) -> None:
    # The goals and service links the contacts on the page touched, in one query.
    found = links_by_contact((row["id"] for row in rows), person_id=person.pk)
    for row in rows:
        row["linked"] = found.get(row["id"], [])


def _contact_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    """A current contact is a casework entry; its note, if any, a second entry in the note's
    own category and audience, so a viewer may see that a contact happened without reading
    a note they may not read."""
    recorder = {
        "recorded_by_organization_id": row["organization_id"],
        "recorded_by_part2": bool(row["organization_part2"]),
    }
    details = [_MODES.get(row["mode"], row["mode"])]
    if row["place"]:
        details.append(row["place"])
    details.append(f"{row['minutes']} min")
    touched = [GOAL_AREAS.get(v, v) for v in json_list(row["goal_areas"])] + [
        SERVICES_GIVEN.get(v, v) for v in json_list(row["services"])
    ]
    if touched:
        details.append(", ".join(touched))
    entries = [
        TimelineEntry(
            at=row["at"],
            kind="contact",
            category=Category.CASEWORK,
            title=f"{_KINDS.get(row['kind'], row['kind'])} contact · {_name(row, 'by')}",
            detail=" · ".join(details),
            linked=tuple(row.get("linked", ())),
            **recorder,
        )
    ]
    if row["note"]:
        category = Category(row["note_category"])
        entries.append(
            TimelineEntry(
                at=row["at"],
                kind="note",
                category=category,
                title=f"Note ({category.label.lower()})",
                detail=row["note"],
                audience=row["note_audience"],
                **recorder,
            )
        )
    return entries


CONTACTS = register_timeline_query(
    TimelineQuery(
        name="casework.contacts",
        rows=_contact_rows,
        at="at",
        fields={
            "kind": "kind",
            "mode": "mode",
            "place": "place",
            "minutes": "minutes",
            "goal_areas": "goal_areas",
            "services": "services",
            "id": "pk",
            "note": "note",
            "note_audience": "note_audience",
            "note_category": "note_category",
            "organization_id": "recorded_by_organization_id",
            "organization_part2": "recorded_by_organization__is_part2_program",
            **_person_fields("by", "recorded_by"),
        },
        convert=_contact_entries,
        complete=_with_links,
    )
)


# Enrollment changes ----------------------------------------------------------------------

_EXIT_LABELS = dict(ExitReason.choices)
_EVENT_LABELS = dict(EnrollmentEvent.Kind.choices)


def _event_rows(viewer: Viewer, person: Any) -> QuerySet[EnrollmentEvent]:
    return EnrollmentEvent.objects.filter(enrollment__person_id=person.pk)


def _event_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    """Status changes, assignments and transfers are enrollment information (what the police
    may confirm under a release); why it happened is casework."""
    # An enrollment with a Part 2 programme, even an ended one, says the person was its
    # patient (42 CFR 2.13): it stays inside the programme unless its own release says
    # otherwise.
    recorder = {
        "recorded_by_organization_id": row["provider_id"],
        "recorded_by_part2": bool(row["provider_part2"]),
    }
    kind = row["kind"]
    kinds = EnrollmentEvent.Kind
    if kind == kinds.ENROLLED:
        title = f"Enrolled with {row['provider']}"
    elif kind == kinds.ASSIGNED:
        title = f"Assigned to {_name(row, 'to')}"
    elif kind == kinds.TRANSFERRED:
        title = f"Transferred from {_name(row, 'from')} to {_name(row, 'to')}"
    elif kind == kinds.UNASSIGNED:
        title = f"No longer assigned to {_name(row, 'from')}"
    else:
        title = _EVENT_LABELS.get(kind, kind)
    entries = [
        TimelineEntry(
            at=row["at"], kind="status", category=Category.ENROLLMENT, title=title, **recorder
        )
    ]
    if kind == kinds.EXITED or (row["reason"] and kind != kinds.ENROLLED):
        reason = _EXIT_LABELS.get(row["exit_reason"], "")
        detail = ": ".join(part for part in (reason, row["reason"]) if part)
        entries.append(
            TimelineEntry(
                at=row["at"],
                kind="status_reason",
                category=Category.CASEWORK,
                title=f"Why: {_EVENT_LABELS.get(kind, kind).lower()}",
                detail=f"{detail} (recorded by {row['by_label'] or 'Tandem'})",
                **recorder,
            )
        )
    return entries


ENROLLMENT_CHANGES = register_timeline_query(
    TimelineQuery(
        name="casework.enrollment_changes",
        rows=_event_rows,
        at="at",
        fields={
            "kind": "kind",
            "exit_reason": "exit_reason",
            "reason": "reason",
            "by_label": "by_label",
            "provider_id": "enrollment__provider_id",
            "provider": "enrollment__provider__name",
            "provider_part2": "enrollment__provider__is_part2_program",
            **_person_fields("from", "from_case_manager"),
            **_person_fields("to", "to_case_manager"),
        },
        convert=_event_entries,
    )
)


# Referrals -------------------------------------------------------------------------------

_DOORS = dict(Door.choices)
_STATUSES = dict(Status.choices)


def _referral_rows(viewer: Viewer, person: Any) -> QuerySet[ReferralEvent]:
    return ReferralEvent.objects.filter(referral__person_id=person.pk)


def _referral_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    """A referral's steps are casework: police and legal partners have their own, narrower
    views of the referrals they made or decide (tandem.referrals), never of what followed."""
    step = row["kind"].replace("_", " ")
    if row["to_status"]:
        step = f"{step}: {_STATUSES.get(row['to_status'], row['to_status']).lower()}"
    door = _DOORS.get(row["door"], row["door"]).lower()
    return [
        TimelineEntry(
            at=row["at"],
            kind="referral",
            category=Category.CASEWORK,
            title=f"Referral ({door}) · {step}",
            detail=" · ".join(part for part in (row["by_label"], row["reason"]) if part),
            url=reverse("referrals:detail", args=[uuid.UUID(str(row["referral"]))]),
        )
    ]


REFERRALS = register_timeline_query(
    TimelineQuery(
        name="casework.referrals",
        rows=_referral_rows,
        at="at",
        fields={
            "kind": "kind",
            "to_status": "to_status",
            "by_label": "by_label",
            "reason": "reason",
            "door": "referral__door",
            "referral": "referral__public_id",
        },
        convert=_referral_entries,
    )
)
