"""Reads of one participant's casework: their casework page (enrollment, contacts, tasks),
the rows a case manager acts on (an enrollment, a contact, a task), and their timeline.

Each takes the viewer, asks `decide()` for every category it returns (and, for a note, its
audience and who recorded it), audits the read, and answers OutOfScope (a 404) for anything
the viewer may not see."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from tandem.access.decisions import (
    Audience,
    Capability,
    Subject,
    allowed_categories,
    can,
    note_visible,
    recorded_item_visible,
)
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Channel, Part2Notice, Part2Subject, Shown, disclose
from tandem.audit.services import audit_read
from tandem.casework.contact_links import (
    LinkedItem,
    linked_items,
    linked_summary,
    linked_visible,
    links_by_contact,
)
from tandem.casework.holding import enrollment_held_by
from tandem.casework.models import Contact, Enrollment, ExitReason, Task
from tandem.casework.selectors.caseload import casework_rules
from tandem.casework.timeline import TimelineEntry, timeline_collect
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope

CONTACTS_SHOWN = 50
TIMELINE_LIMIT = 100
_AUDIENCE_LABELS = dict(Audience.choices)
_CATEGORY_LABELS = dict(Category.choices)


def _person(
    viewer: Viewer,
    public_id: uuid.UUID | str,
    *,
    annotate: Callable[[QuerySet[Person]], QuerySet[Person]] | None = None,
) -> Person:
    people = people_in_scope(viewer.site_id, viewer=viewer)
    if annotate is not None:
        people = annotate(people)
    try:
        return people.get(public_id=uuid.UUID(str(public_id)))
    except (Person.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such person.") from exc


def _user_label(user: object) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class EnrollmentView:
    public_id: uuid.UUID
    status: str
    status_label: str
    provider: str
    case_manager: str
    enrolled_on: date
    last_substantive_contact_on: date | None
    days_since_substantive_contact: int | None
    inactive_since: date | None
    exited_on: date | None
    exit_reason: str
    becomes_inactive_on: date | None

    @property
    def is_open(self) -> bool:
        return self.status != Enrollment.Status.EXITED


def when(at: datetime) -> tuple[str, str]:
    """A moment as the pages show it, in the current (the site's) time zone: the ISO form
    for <time datetime> and "3 Jun 2026, 14:05". Formatted here once: Django's date filter
    costs a page of a hundred entries several milliseconds."""
    local = timezone.localtime(at)
    return local.isoformat(timespec="minutes"), f"{local.day} {local:%b %Y, %H:%M}"


@dataclass(frozen=True, slots=True)
class ContactView:
    public_id: uuid.UUID
    at: datetime
    at_iso: str
    at_label: str
    kind: str
    kind_label: str
    mode_label: str
    place: str
    minutes: int
    goal_areas: list[str]
    services: list[str]
    recorded_by: str
    # Empty when there is none, or when the viewer may not read it.
    note: str = ""
    note_label: str = ""
    corrected: bool = False
    # The plan goals and service links the contact touched that the viewer may see, and
    # their categories (for the read's audit).
    linked: str = ""
    linked_categories: frozenset[Category] = frozenset()


@dataclass(frozen=True, slots=True)
class TaskView:
    public_id: uuid.UUID
    title: str
    due_on: date | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class CaseworkPage:
    person_id: uuid.UUID
    display_name: str
    enrollment: EnrollmentView | None
    contacts: list[ContactView]
    tasks: list[TaskView]
    # What the viewer may do here (the views and services check again).
    may_log: bool
    may_assign: bool
    departs_from_model: bool
    part2_notice: Part2Notice | None = None
    more_contacts: bool = False


@dataclass(frozen=True, slots=True)
class _Latest:
    """The person's open enrollment (or else the latest that ended), as the person's query
    packs it."""

    public_id: uuid.UUID
    status: str
    provider_id: int
    provider: str
    case_manager: str
    enrolled_on: date
    last_substantive_contact_on: date | None
    inactive_since: date | None
    exited_on: date | None
    exit_reason: str
    exit_reason_text: str

    @property
    def is_open(self) -> bool:
        return self.status != Enrollment.Status.EXITED


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _unpack_enrollment(packed: Any) -> _Latest | None:
    if not packed:
        return None
    row = json.loads(packed) if isinstance(packed, str) else packed
    name = " ".join(p for p in (row["cm_first"], row["cm_last"]) if p) or row["cm_username"] or ""
    enrolled_on = _day(row["enrolled_on"])
    assert enrolled_on is not None
    return _Latest(
        public_id=uuid.UUID(str(row["public_id"])),
        status=row["status"],
        provider_id=row["provider_id"],
        provider=row["provider"],
        case_manager=name,
        enrolled_on=enrolled_on,
        last_substantive_contact_on=_day(row["last"]),
        inactive_since=_day(row["inactive_since"]),
        exited_on=_day(row["exited_on"]),
        exit_reason=row["exit_reason"] or "",
        exit_reason_text=row["exit_reason_text"] or "",
    )


def _unpack_tasks(joined: str | None, today: date) -> list[TaskView]:
    if not joined:
        return []
    # Soonest due first, those without a date last (SQLite before 3.44 cannot order the
    # aggregate itself).
    rows = sorted(json.loads(f"[{joined}]"), key=lambda r: (not r["due_on"], r["due_on"] or ""))
    return [
        TaskView(
            public_id=uuid.UUID(str(row["public_id"])),
            title=row["title"],
            due_on=_day(row["due_on"]),
            overdue=bool(row["due_on"]) and (_day(row["due_on"]) or today) < today,
        )
        for row in rows[:50]
    ]


def _with_casework(people: QuerySet[Person]) -> QuerySet[Person]:
    """The person's latest enrollment, its open follow-ups and what the contacts the page
    lists link to, packed as JSON into the person's own query: the casework page reads them
    without more queries."""
    latest = (
        Enrollment.objects.filter(person=OuterRef("pk"))
        .annotate(
            closed=Case(
                When(status=Enrollment.Status.EXITED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "-enrolled_on", "-pk")
        .values(
            packed=JSONObject(
                public_id="public_id",
                status="status",
                provider_id="provider_id",
                provider="provider__name",
                cm_first="case_manager__first_name",
                cm_last="case_manager__last_name",
                cm_username="case_manager__username",
                enrolled_on="enrolled_on",
                last="last_substantive_contact_on",
                inactive_since="inactive_since",
                exited_on="exited_on",
                exit_reason="exit_reason",
                exit_reason_text="exit_reason_text",
            )
        )[:1]
    )
    tasks = (
        Task.objects.filter(enrollment__person=OuterRef("pk"), done_at__isnull=True)
        .exclude(enrollment__status=Enrollment.Status.EXITED)
        .order_by()
        .values("enrollment__person")
        .annotate(
            joined=StringAgg(
                Cast(
                    JSONObject(public_id="public_id", title="title", due_on="due_on"),
                    output_field=TextField(),
                ),
                delimiter=Value(","),
            )
        )
        .values("joined")
    )
    return people.annotate(
        casework_enrollment=Subquery(latest, output_field=TextField()),
        casework_tasks=Subquery(tasks, output_field=TextField()),
    )


def _enrollment_view(enrollment: _Latest, *, today: date, inactivity_days: int) -> EnrollmentView:
    last = enrollment.last_substantive_contact_on
    becomes_inactive = None
    if enrollment.status == Enrollment.Status.ACTIVE:
        becomes_inactive = (last or enrollment.enrolled_on) + timedelta(days=inactivity_days + 1)
    reason = ""
    if enrollment.status == Enrollment.Status.EXITED:
        reason = dict(ExitReason.choices).get(enrollment.exit_reason, "")
        if enrollment.exit_reason_text:
            reason = (
                f"{reason}: {enrollment.exit_reason_text}"
                if reason
                else enrollment.exit_reason_text
            )
    return EnrollmentView(
        public_id=enrollment.public_id,
        status=enrollment.status,
        status_label=dict(Enrollment.Status.choices)[enrollment.status],
        provider=enrollment.provider,
        case_manager=enrollment.case_manager,
        enrolled_on=enrollment.enrolled_on,
        last_substantive_contact_on=last,
        days_since_substantive_contact=None if last is None else (today - last).days,
        inactive_since=enrollment.inactive_since,
        exited_on=enrollment.exited_on,
        exit_reason=reason,
        becomes_inactive_on=becomes_inactive,
    )


def _links_of(contact: Contact, person: Subject) -> list[LinkedItem]:
    """The contact's links: those the page read for all its contacts at once
    (`casework_links_by_contact`, set by `casework_person_get`), else this contact's alone."""
    grouped = getattr(person, "casework_links_by_contact", None)
    if grouped is None:
        return linked_items(contact)
    return list(grouped.get(contact.pk, ()))


def contact_view(
    contact: Contact, *, viewer: Viewer, person: Subject, purpose: Purpose
) -> ContactView:
    """A contact as `viewer` may see it: the note only when its category, its audience and
    whoever recorded it all allow; each linked goal or service link only when the decision
    on its own category and recorder allows."""
    organization = contact.recorded_by_organization
    shows_note = bool(contact.note) and bool(
        note_visible(
            viewer=viewer,
            person=person,
            category=Category(contact.note_category),
            audience=contact.note_audience,
            purpose=purpose,
            recorder_organization_id=contact.recorded_by_organization_id,
            recorder_is_part2=organization.is_part2_program,
        )
    )
    at_iso, at_label = when(contact.at)
    linked = linked_visible(
        _links_of(contact, person), viewer=viewer, person=person, purpose=purpose
    )
    return ContactView(
        public_id=contact.public_id,
        at=contact.at,
        at_iso=at_iso,
        at_label=at_label,
        kind=contact.kind,
        kind_label=contact.get_kind_display(),
        mode_label=contact.get_mode_display(),
        place=contact.place,
        minutes=contact.minutes,
        goal_areas=contact.goal_area_labels(),
        services=contact.service_labels(),
        recorded_by=_user_label(contact.recorded_by),
        note=contact.note if shows_note else "",
        note_label=(
            f"{_CATEGORY_LABELS[contact.note_category]} · for the "
            f"{_AUDIENCE_LABELS[contact.note_audience].lower()}"
            if shows_note
            else ""
        ),
        corrected=contact.corrects_id is not None,
        linked=linked_summary(linked),
        linked_categories=frozenset(item.category for item in linked),
    )


def casework_person_get(
    *, viewer: Viewer, public_id: uuid.UUID | str, purpose: Purpose
) -> CaseworkPage:
    """A participant's casework page, for a viewer who may see their casework (the holding
    team; the project office outside any Part 2 programme). Two queries (the person with
    their enrollment and follow-ups, the contacts) plus the audit."""
    person = _person(viewer, public_id, annotate=_with_casework)
    subject = cast(Subject, person)
    categories = allowed_categories(viewer=viewer, person=subject, purpose=purpose)
    # A participant with an open enrollment has a casework page, and so, read-only, has one
    # who left for the team that held them last (decide() keeps that team's sight). Someone
    # never enrolled, someone who left to anyone else, and a Part 2 programme's patient the
    # viewer may not know of all answer the same 404 (what ended is on the timeline, entry
    # by entry).
    held = person.holding_organization_id is not None  # type: ignore[attr-defined]
    held_until_exit = (
        not held and person.former_holder_organization_id == viewer.organization_id  # type: ignore[attr-defined]
    )
    if not (held or held_until_exit) or not {Category.CASEWORK, Category.ENROLLMENT} <= categories:
        audit_read(viewer=viewer, action="casework.view_refused", target=person, purpose=purpose)
        raise OutOfScope("No such person.")
    today = timezone.localdate()
    rules = casework_rules(viewer.site_id, today)
    enrollment = _unpack_enrollment(person.casework_enrollment)  # type: ignore[attr-defined]
    contacts = list(
        Contact.objects.filter(person=person, removed_at__isnull=True)
        .select_related("recorded_by", "recorded_by_organization")
        .order_by("-at", "-pk")[: CONTACTS_SHOWN + 1]
    )
    more = len(contacts) > CONTACTS_SHOWN
    # The links of the contacts listed, in one query (read by `_links_of`).
    person.casework_links_by_contact = links_by_contact(  # type: ignore[attr-defined]
        (contact.pk for contact in contacts[:CONTACTS_SHOWN]), person_id=person.pk
    )
    shown = {Category.IDENTITY, Category.ENROLLMENT, Category.CASEWORK}
    shown_contacts = []
    for contact in contacts[:CONTACTS_SHOWN]:
        if not recorded_item_visible(
            viewer=viewer,
            person=subject,
            category=Category.CASEWORK,
            purpose=purpose,
            recorder_organization_id=contact.recorded_by_organization_id,
            recorder_is_part2=contact.recorded_by_organization.is_part2_program,
        ):
            continue
        view = contact_view(contact, viewer=viewer, person=subject, purpose=purpose)
        if view.note:
            shown.add(Category(contact.note_category))
        # A linked goal or service link shows its own category (a health goal's words).
        shown |= view.linked_categories
        shown_contacts.append(view)
    tasks = _unpack_tasks(person.casework_tasks, today)  # type: ignore[attr-defined]
    holds = (
        enrollment is not None
        and enrollment.is_open
        and enrollment.provider_id == viewer.organization_id
    )
    disclosed = disclose(
        viewer=viewer,
        shown=[Shown(cast(Part2Subject, person), frozenset(shown & categories))],
        channel=Channel.SCREEN,
        purpose=purpose,
        action="casework.viewed",
        target=person,
        category=Category.CASEWORK,
        detail={"contacts": len(shown_contacts)},
    )
    return CaseworkPage(
        person_id=person.public_id,
        display_name=person.display_name if Category.IDENTITY in categories else "Participant",
        enrollment=(
            _enrollment_view(enrollment, today=today, inactivity_days=rules.inactivity_days)
            if enrollment is not None
            else None
        ),
        contacts=shown_contacts,
        tasks=tasks,
        may_log=holds and can(viewer, Capability.LOG_CONTACTS),
        may_assign=holds and can(viewer, Capability.ASSIGN_CASELOADS),
        departs_from_model=rules.ends_participation_for_nonparticipation,
        part2_notice=disclosed.notice_for(cast(Part2Subject, person)),
        more_contacts=more,
    )


# The rows a case manager acts on ---------------------------------------------------------


def enrollment_for_work(
    *, viewer: Viewer, public_id: uuid.UUID | str, audit: bool = False
) -> Enrollment:
    """An open enrollment the viewer's team holds, with its person; anything else is
    OutOfScope. `audit` records the read (a page that shows the participant)."""
    try:
        enrollment = (
            Enrollment.objects.select_related("person", "provider", "site", "case_manager")
            .exclude(status=Enrollment.Status.EXITED)
            .get(public_id=uuid.UUID(str(public_id)), site_id=viewer.site_id)
        )
    except (Enrollment.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such enrollment.") from exc
    if not enrollment_held_by(viewer, enrollment):
        raise OutOfScope("No such enrollment.")
    if audit:
        audit_read(
            viewer=viewer,
            action="enrollment.viewed",
            target=enrollment,
            category=Category.ENROLLMENT,
            purpose=Purpose.CARE_COORDINATION,
        )
    return enrollment


def enrollment_for_assignment(*, viewer: Viewer, public_id: uuid.UUID | str) -> Enrollment:
    """An open enrollment of the supervisor's own provider."""
    if not can(viewer, Capability.ASSIGN_CASELOADS):
        raise OutOfScope("No such enrollment.")
    return enrollment_for_work(viewer=viewer, public_id=public_id)


def contact_for_work(*, viewer: Viewer, public_id: uuid.UUID | str) -> Contact:
    """A current contact of an enrollment the viewer's team holds, recorded by that team."""
    try:
        contact = Contact.objects.select_related(
            "enrollment__provider",
            "enrollment__site",
            "enrollment__person",
            "recorded_by",
            "recorded_by_organization",
        ).get(public_id=uuid.UUID(str(public_id)), site_id=viewer.site_id)
    except (Contact.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such contact.") from exc
    enrollment = contact.enrollment
    if contact.recorded_by_organization_id != viewer.organization_id or not enrollment_held_by(
        viewer, enrollment
    ):
        raise OutOfScope("No such contact.")
    audit_read(
        viewer=viewer,
        action="contact.viewed",
        target=contact,
        category=Category.CASEWORK,
        purpose=Purpose.CARE_COORDINATION,
    )
    return contact


def task_for_work(*, viewer: Viewer, public_id: uuid.UUID | str) -> Task:
    try:
        task = Task.objects.select_related("enrollment__provider", "enrollment__person").get(
            public_id=uuid.UUID(str(public_id)), site_id=viewer.site_id
        )
    except (Task.DoesNotExist, ValueError) as exc:
        raise OutOfScope("No such task.") from exc
    if not enrollment_held_by(viewer, task.enrollment):
        raise OutOfScope("No such task.")
    return task


# The timeline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineRow:
    entry: TimelineEntry
    at_iso: str
    at_label: str


@dataclass(frozen=True, slots=True)
class TimelinePage:
    person_id: uuid.UUID
    display_name: str
    entries: list[TimelineEntry] = field(default_factory=list)
    rows: list[TimelineRow] = field(default_factory=list)
    categories: frozenset[Category] = frozenset()
    part2_notice: Part2Notice | None = None
    limit: int = TIMELINE_LIMIT


def timeline_get(
    *, viewer: Viewer, public_id: uuid.UUID | str, purpose: Purpose, limit: int = TIMELINE_LIMIT
) -> TimelinePage:
    """One timeline per participant: every registered source's newest entries, each shown
    only when the viewer may see its category (and, for a note, its audience and who
    recorded it). A viewer who may see neither who the person is nor their enrollment gets
    OutOfScope, as on the person's page."""
    person = _person(viewer, public_id)
    subject = cast(Subject, person)
    categories = allowed_categories(viewer=viewer, person=subject, purpose=purpose)
    if not categories & {Category.IDENTITY, Category.ENROLLMENT}:
        audit_read(viewer=viewer, action="timeline.view_refused", target=person, purpose=purpose)
        raise OutOfScope("No such person.")
    entries = timeline_collect(viewer=viewer, person=subject, purpose=purpose, limit=limit)
    shown = (
        frozenset(entry.category for entry in entries)
        | {item.category for entry in entries for item in entry.linked}
        | ({Category.IDENTITY} if Category.IDENTITY in categories else frozenset())
    )
    disclosed = disclose(
        viewer=viewer,
        shown=[Shown(cast(Part2Subject, person), shown)],
        channel=Channel.SCREEN,
        purpose=purpose,
        action="timeline.viewed",
        target=person,
        category=Category.CASEWORK if Category.CASEWORK in shown else Category.ENROLLMENT,
        detail={"entries": len(entries), "categories": sorted(shown)},
    )
    return TimelinePage(
        person_id=person.public_id,
        display_name=person.display_name if Category.IDENTITY in categories else "Participant",
        entries=entries,
        rows=[TimelineRow(entry, *when(entry.at)) for entry in entries],
        categories=categories,
        part2_notice=disclosed.notice_for(cast(Part2Subject, person)),
        limit=limit,
    )
