"""Writes of casework. Each service takes `actor=` (None: the system), checks its rules,
writes, and appends an audit event in the same transaction. Pages check that the viewer may
act on the enrollment before calling (tandem.casework.selectors answers 404 otherwise), and
every service that acts for a viewer checks it again (`enrollment_check_held`): a service
may be called from elsewhere (a task, the API, the demo)."""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Audience, Capability
from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.contact_links import links_resolve, links_save
from tandem.casework.holding import enrollment_check_held
from tandem.casework.models import (
    GOAL_AREAS,
    NOTE_CATEGORIES,
    SERVICES_GIVEN,
    Contact,
    Enrollment,
    EnrollmentEvent,
    ExitReason,
    Task,
)
from tandem.people.models import Person
from tandem.policy.selectors import policy_rules_in_force
from tandem.tenancy.models import Membership, Organization, Site

logger = logging.getLogger(__name__)

MAX_CONTACT_MINUTES = 600
NOTE_MAX_LENGTH = 10_000
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def _moment(site: Site, on: date) -> datetime:
    """A moment for something known only by its date: now if it is today at the site,
    else midday at the site that day."""
    if on >= site.today():
        return timezone.now()
    return datetime.combine(on, time(12), zoneinfo.ZoneInfo(site.time_zone))


def _label(actor: User | None) -> str:
    if actor is None:
        return "Tandem"
    return actor.get_full_name() or actor.get_username()


def _event(
    enrollment: Enrollment,
    kind: str,
    *,
    actor: User | None,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    from_case_manager: User | None = None,
    to_case_manager: User | None = None,
    exit_reason: str = "",
    reason: str = "",
) -> EnrollmentEvent:
    return EnrollmentEvent.objects.create(
        site_id=enrollment.site_id,
        enrollment=enrollment,
        kind=kind,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        from_case_manager=from_case_manager,
        to_case_manager=to_case_manager,
        exit_reason=exit_reason,
        reason=reason,
        by=actor,
        by_label=_label(actor),
    )


def _locked(enrollment: Enrollment) -> Enrollment:
    # Lock the row: two phones logging contacts, or the inactivity job and a case manager,
    # must not both compute the status or the last substantive contact from a stale row.
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("site", "provider", "case_manager")
        .get(pk=enrollment.pk)
    )


@transaction.atomic
def enrollment_create(
    *,
    actor: User | None,
    person: Person,
    provider: Organization,
    case_manager: User | None,
    enrolled_on: date,
    status: str = Enrollment.Status.ACTIVE,
    last_substantive_contact_on: date | None = None,
    exit_reason: str = "",
    exit_reason_text: str = "",
    status_since: date | None = None,
) -> Enrollment:
    """Enroll `person` with `provider`. `status` (and since when), the last contact and an
    exit reason are for records that arrive with a history (the demo, an import); a new
    participant is active."""
    enrollment = Enrollment(
        site_id=person.site_id,
        person=person,
        provider=provider,
        case_manager=case_manager,
        enrolled_on=enrolled_on,
        status=status,
        last_substantive_contact_on=last_substantive_contact_on,
        exit_reason=exit_reason,
        exit_reason_text=exit_reason_text,
    )
    since = max(status_since or enrolled_on, enrolled_on)
    if status == Enrollment.Status.EXITED:
        enrollment.exited_on = since
    elif status == Enrollment.Status.INACTIVE:
        enrollment.inactive_since = since
    enrollment.full_clean()
    enrollment.save()
    site = person.site
    began = _moment(site, enrolled_on)
    _event(
        enrollment,
        EnrollmentEvent.Kind.ENROLLED,
        actor=actor,
        at=began,
        to_status=Enrollment.Status.ACTIVE,
    )
    if case_manager is not None:
        _event(
            enrollment,
            EnrollmentEvent.Kind.ASSIGNED,
            actor=actor,
            at=began,
            to_case_manager=case_manager,
        )
    if status != Enrollment.Status.ACTIVE:
        _event(
            enrollment,
            EnrollmentEvent.Kind.EXITED
            if status == Enrollment.Status.EXITED
            else EnrollmentEvent.Kind.INACTIVE,
            actor=actor,
            at=_moment(site, since),
            from_status=Enrollment.Status.ACTIVE,
            to_status=status,
            exit_reason=exit_reason,
            reason=exit_reason_text,
        )
    audit_record(
        actor=actor,
        site=person.site_id,
        action="enrollment.created",
        target=enrollment,
        category="enrollment",
        detail={"person": str(person.public_id), "provider": str(provider.public_id)},
    )
    return enrollment


# Contacts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactInput:
    """What a case manager says about one contact; checked by `contact_log`."""

    at: datetime
    kind: str
    mode: str
    minutes: int
    place: str = ""
    goal_areas: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    note: str = ""
    note_audience: str = Audience.TEAM
    note_category: str = Category.CASEWORK
    client_token: uuid.UUID | None = None
    # The participant's own rows the contact touched, by kind (tandem.casework.contact_links):
    # {"goals": (public id, ...), "service_links": (...)}.
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _check_contact(data: ContactInput, enrollment: Enrollment) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    if data.kind not in Contact.Kind.values:
        errors["kind"].append("Choose substantive, attempt or collateral.")
    if data.mode not in Contact.Mode.values:
        errors["mode"].append("Choose where the contact happened.")
    if not 0 <= data.minutes <= MAX_CONTACT_MINUTES:
        errors["minutes"].append(f"Minutes must be between 0 and {MAX_CONTACT_MINUTES}.")
    if timezone.is_naive(data.at):
        errors["at"].append("Give the time with its time zone.")
    elif data.at > timezone.now() + CLOCK_SKEW:
        errors["at"].append("The contact is in the future.")
    elif enrollment.site.today(data.at) < enrollment.enrolled_on:
        errors["at"].append(
            f"The contact is before the enrollment began ({enrollment.enrolled_on:%-d %B %Y})."
        )
    if unknown := set(data.goal_areas) - set(GOAL_AREAS):
        errors["goal_areas"].append(f"Unknown goal area: {', '.join(sorted(unknown))}.")
    if unknown := set(data.services) - set(SERVICES_GIVEN):
        errors["services"].append(f"Unknown service: {', '.join(sorted(unknown))}.")
    if len(data.note) > NOTE_MAX_LENGTH:
        errors["note"].append(f"A note is at most {NOTE_MAX_LENGTH:,} characters.")
    if data.note_audience not in Audience.values:
        errors["note_audience"].append("Choose who the note is for.")
    if data.note_category not in {c.value for c in NOTE_CATEGORIES}:
        errors["note_category"].append("Choose what the note is about.")
    if len(data.place) > 200:
        errors["place"].append("The place is at most 200 characters.")
    return dict(errors)


def _contact_from(
    data: ContactInput, *, enrollment: Enrollment, actor: User, organization_id: int
) -> Contact:
    return Contact(
        site_id=enrollment.site_id,
        enrollment=enrollment,
        person_id=enrollment.person_id,
        at=data.at,
        kind=data.kind,
        mode=data.mode,
        place=data.place.strip(),
        minutes=data.minutes,
        goal_areas=sorted(set(data.goal_areas)),
        services=sorted(set(data.services)),
        note=data.note.strip(),
        note_audience=data.note_audience,
        note_category=data.note_category,
        recorded_by=actor,
        recorded_by_organization_id=organization_id,
        client_token=data.client_token,
    )


def _audit_contact(action: str, contact: Contact, *, actor: User, **extra: object) -> None:
    audit_record(
        actor=actor,
        site=contact.site_id,
        action=action,
        target=contact,
        category="casework",
        # What happened, never the note's words: the audit log is read by the site
        # administrator, who sees no participant data.
        detail={
            "enrollment": str(contact.enrollment.public_id),
            "kind": contact.kind,
            "mode": contact.mode,
            "minutes": contact.minutes,
            "note_category": contact.note_category if contact.note else "",
            **extra,
        },
    )


def _linked_counts(saved: Mapping[str, int]) -> dict[str, int]:
    # How many of each kind, never which: the rows' words are participant data.
    return {f"linked_{name}": count for name, count in saved.items()}


CONTACTS_REFUSAL = "Only the team holding the enrollment records its contacts."


@transaction.atomic
def contact_log(
    *, actor: User, viewer: Viewer, enrollment: Enrollment, data: ContactInput
) -> Contact:
    """Record one contact. A substantive contact moves the enrollment's last substantive
    contact forward and re-engages an inactive participant. A draft sent twice (same
    `client_token`) is stored once: the second call returns the first contact."""
    enrollment = _locked(enrollment)
    enrollment_check_held(
        viewer=viewer,
        enrollment=enrollment,
        refusal=CONTACTS_REFUSAL,
        exited="This participant has exited; enroll them again to log contacts.",
    )
    if data.client_token is not None:
        earlier = (
            Contact.objects.filter(recorded_by=actor, client_token=data.client_token)
            .select_related("enrollment")
            .first()
        )
        if earlier is not None:
            return earlier
    errors = _check_contact(data, enrollment)
    linked, link_errors = links_resolve(viewer=viewer, enrollment=enrollment, links=data.links)
    errors.update(link_errors)
    if errors:
        raise ValidationError(errors)
    contact = _contact_from(
        data, enrollment=enrollment, actor=actor, organization_id=viewer.organization_id
    )
    contact.full_clean()
    contact.save()
    saved = links_save(contact=contact, rows=linked)
    _audit_contact("contact.logged", contact, actor=actor, **_linked_counts(saved))
    if contact.kind == Contact.Kind.SUBSTANTIVE:
        _substantive_contact(enrollment, contact, actor=actor)
    return contact


def _substantive_contact(enrollment: Enrollment, contact: Contact, *, actor: User) -> None:
    on = enrollment.site.today(contact.at)
    fields = []
    if (
        enrollment.last_substantive_contact_on is None
        or on > enrollment.last_substantive_contact_on
    ):
        enrollment.last_substantive_contact_on = on
        fields.append("last_substantive_contact_on")
    if enrollment.status == Enrollment.Status.INACTIVE:
        # Outreach found them: re-engagement keeps every earlier contact and event.
        _reengage(enrollment, actor=actor, reason="A substantive contact was logged.")
    elif fields:
        enrollment.save(update_fields=[*fields, "updated_at"])


def _refresh_last_substantive(enrollment: Enrollment) -> None:
    newest = Contact.objects.filter(
        enrollment=enrollment, kind=Contact.Kind.SUBSTANTIVE, removed_at__isnull=True
    ).aggregate(at=Max("at"))["at"]
    enrollment.last_substantive_contact_on = (
        None if newest is None else enrollment.site.today(newest)
    )
    enrollment.save(update_fields=["last_substantive_contact_on", "updated_at"])


@transaction.atomic
def contact_correct(
    *, actor: User, viewer: Viewer, contact: Contact, data: ContactInput, reason: str
) -> Contact:
    """Replace a contact with a corrected one. The original stays, marked removed and
    pointing at its correction, so the change keeps its history."""
    enrollment = _locked(contact.enrollment)
    enrollment_check_held(viewer=viewer, enrollment=enrollment, refusal=CONTACTS_REFUSAL)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    if contact.removed_at is not None:
        raise ValidationError("This contact was already corrected or removed.")
    errors = _check_contact(data, enrollment)
    linked, link_errors = links_resolve(viewer=viewer, enrollment=enrollment, links=data.links)
    errors.update(link_errors)
    if not reason.strip():
        errors.setdefault("reason", []).append("Say what was wrong.")
    if errors:
        raise ValidationError(errors)
    corrected = _contact_from(
        replace(data, client_token=None),
        enrollment=enrollment,
        actor=actor,
        organization_id=viewer.organization_id,
    )
    corrected.corrects = contact
    corrected.full_clean()
    corrected.save()
    contact.removed_at = timezone.now()
    contact.removed_by = actor
    contact.removed_reason = f"Corrected: {reason.strip()}"[:500]
    contact.save(update_fields=["removed_at", "removed_by", "removed_reason", "updated_at"])
    # The correction carries its own links; the original keeps those it had, as history.
    saved = links_save(contact=corrected, rows=linked)
    _audit_contact(
        "contact.corrected",
        corrected,
        actor=actor,
        corrects=str(contact.public_id),
        **_linked_counts(saved),
    )
    _refresh_last_substantive(enrollment)
    if corrected.kind == Contact.Kind.SUBSTANTIVE and enrollment.status == "inactive":
        _reengage(enrollment, actor=actor, reason="A substantive contact was logged.")
    return corrected


@transaction.atomic
def contact_remove(*, actor: User, viewer: Viewer, contact: Contact, reason: str) -> Contact:
    """Mark a contact entered in error as removed (never deleted)."""
    enrollment = _locked(contact.enrollment)
    enrollment_check_held(viewer=viewer, enrollment=enrollment, refusal=CONTACTS_REFUSAL)
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    if contact.removed_at is not None:
        raise ValidationError("This contact was already corrected or removed.")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the contact is removed."]})
    contact.removed_at = timezone.now()
    contact.removed_by = actor
    contact.removed_reason = reason.strip()[:500]
    contact.save(update_fields=["removed_at", "removed_by", "removed_reason", "updated_at"])
    contact.enrollment = enrollment
    _audit_contact("contact.removed", contact, actor=actor)
    _refresh_last_substantive(enrollment)
    return contact


@transaction.atomic
def contacts_import(
    *, actor: User | None, site: Site, contacts: Iterable[Contact], batch_size: int = 5000
) -> int:
    """Store many contacts at once (the demo's history, a benchmark's site, a migration from
    another system): checked row by row like `contact_log`'s, inserted in batches, each
    enrollment's last substantive contact moved forward, and ONE audit event for the lot.
    Returns how many were stored. A row that breaks a rule stops the import with nothing
    stored."""
    latest: dict[int, date] = {}
    stored = 0
    batch: list[Contact] = []
    zone = zoneinfo.ZoneInfo(site.time_zone)
    for contact in contacts:
        if contact.site_id != site.pk:
            raise ValidationError("A contact of another site.")
        if contact.kind not in Contact.Kind.values or contact.mode not in Contact.Mode.values:
            raise ValidationError("A contact of an unknown kind or mode.")
        if not 0 <= contact.minutes <= MAX_CONTACT_MINUTES:
            raise ValidationError(f"Minutes must be between 0 and {MAX_CONTACT_MINUTES}.")
        if contact.kind == Contact.Kind.SUBSTANTIVE:
            on = timezone.localtime(contact.at, zone).date()
            if on > latest.get(contact.enrollment_id, date.min):
                latest[contact.enrollment_id] = on
        batch.append(contact)
        if len(batch) >= batch_size:
            Contact.objects.bulk_create(batch)
            stored += len(batch)
            batch = []
    if batch:
        Contact.objects.bulk_create(batch)
        stored += len(batch)
    changed = []
    for enrollment in Enrollment.objects.filter(pk__in=list(latest)).only(
        "pk", "last_substantive_contact_on"
    ):
        newest = latest[enrollment.pk]
        if (
            enrollment.last_substantive_contact_on is None
            or newest > enrollment.last_substantive_contact_on
        ):
            enrollment.last_substantive_contact_on = newest
            changed.append(enrollment)
    Enrollment.objects.bulk_update(changed, ["last_substantive_contact_on"], batch_size=batch_size)
    audit_record(
        actor=actor,
        site=site,
        action="contacts.imported",
        category="casework",
        detail={"count": stored, "enrollments": len(latest)},
    )
    return stored


# Status ----------------------------------------------------------------------------------


def _reengage(enrollment: Enrollment, *, actor: User | None, reason: str) -> None:
    enrollment.status = Enrollment.Status.ACTIVE
    enrollment.inactive_since = None
    enrollment.full_clean()
    enrollment.save()
    _event(
        enrollment,
        EnrollmentEvent.Kind.REENGAGED,
        actor=actor,
        from_status=Enrollment.Status.INACTIVE,
        to_status=Enrollment.Status.ACTIVE,
        reason=reason,
    )
    audit_record(
        actor=actor,
        site=enrollment.site_id,
        action="enrollment.reengaged",
        target=enrollment,
        category="enrollment",
        detail={"reason": reason},
    )


STATUS_REFUSAL = "Only the team holding the enrollment changes the participant's status."


@transaction.atomic
def enrollment_reengage(
    *, actor: User | None, viewer: Viewer | None, enrollment: Enrollment, reason: str = ""
) -> Enrollment:
    """An inactive participant is active again; nothing of their history is lost. Only the
    team holding the enrollment re-engages them (`viewer` None: the system)."""
    enrollment = _locked(enrollment)
    only_inactive = "Only an inactive participant can be re-engaged."
    enrollment_check_held(
        viewer=viewer, enrollment=enrollment, refusal=STATUS_REFUSAL, exited=only_inactive
    )
    if enrollment.status != Enrollment.Status.INACTIVE:
        raise ValidationError(only_inactive)
    _reengage(enrollment, actor=actor, reason=reason.strip() or "Re-engaged by the team.")
    return enrollment


@transaction.atomic
def enrollment_set_inactive(*, enrollment: Enrollment, on: date, reason: str) -> Enrollment:
    """The participant goes on the outreach list. The inactivity job's alone, acting as the
    system: no page sets a participant inactive (the site's policy decides when), so there
    is no viewer to check and no actor to take. Idempotent: an enrollment that is no longer
    active is left as it is."""
    enrollment = _locked(enrollment)
    if enrollment.status != Enrollment.Status.ACTIVE:
        return enrollment
    enrollment.status = Enrollment.Status.INACTIVE
    enrollment.inactive_since = on
    enrollment.full_clean()
    enrollment.save()
    _event(
        enrollment,
        EnrollmentEvent.Kind.INACTIVE,
        actor=None,
        from_status=Enrollment.Status.ACTIVE,
        to_status=Enrollment.Status.INACTIVE,
        reason=reason,
    )
    audit_record(
        actor=None,
        site=enrollment.site_id,
        action="enrollment.inactive",
        target=enrollment,
        category="enrollment",
        detail={"reason": reason},
    )
    return enrollment


@transaction.atomic
def enrollment_exit(
    *,
    actor: User | None,
    viewer: Viewer | None,
    enrollment: Enrollment,
    reason: str,
    text: str = "",
    on: date | None = None,
) -> Enrollment:
    """End participation, always for an explicit reason. Ending it for non-participation
    is refused unless the site's policy in force says so (a departure from the model). Only
    the team holding the enrollment ends it (`viewer` None: the system)."""
    enrollment = _locked(enrollment)
    enrollment_check_held(
        viewer=viewer,
        enrollment=enrollment,
        refusal=STATUS_REFUSAL,
        exited="This participant has already exited.",
    )
    on = on or enrollment.site.today()
    errors: dict[str, list[str]] = {}
    if reason not in ExitReason.values:
        errors["reason"] = ["Choose why participation ends."]
    elif reason == ExitReason.NONPARTICIPATION:
        rules = policy_rules_in_force(enrollment.site_id, on)
        if not rules.ends_participation_for_nonparticipation:
            errors["reason"] = [
                "The site's policy does not end participation for non-participation: in the "
                "LEAD model no one fails LEAD. The participant can stay inactive instead."
            ]
    if reason == ExitReason.OTHER and not text.strip():
        errors["text"] = ["Describe the other reason."]
    if len(text) > 500:
        errors["text"] = ["At most 500 characters."]
    if on < enrollment.enrolled_on or on > enrollment.site.today():
        errors["on"] = ["The exit date must be between the enrollment and today."]
    if errors:
        raise ValidationError(errors)
    previous = enrollment.status
    enrollment.status = Enrollment.Status.EXITED
    enrollment.exited_on = on
    enrollment.exit_reason = reason
    enrollment.exit_reason_text = text.strip()
    enrollment.full_clean()
    enrollment.save()
    _event(
        enrollment,
        EnrollmentEvent.Kind.EXITED,
        actor=actor,
        from_status=previous,
        to_status=Enrollment.Status.EXITED,
        exit_reason=reason,
        reason=text.strip(),
    )
    audit_record(
        actor=actor,
        site=enrollment.site_id,
        action="enrollment.exited",
        target=enrollment,
        category="enrollment",
        detail={"reason": reason},
    )
    return enrollment


# Assignment ------------------------------------------------------------------------------


def assignable_case_managers(provider_id: int) -> list[User]:
    """The active case-management members of a provider, by name."""
    memberships = (
        Membership.objects.filter(
            organization_id=provider_id,
            is_active=True,
            user__is_active=True,
            role__in=[role.value for role in CASE_MANAGEMENT_ROLES],
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [membership.user for membership in memberships]


@transaction.atomic
def enrollment_assign(
    *,
    actor: User,
    viewer: Viewer,
    enrollment: Enrollment,
    case_manager: User | None,
    reason: str = "",
) -> Enrollment:
    """Give the participant a case manager, move them to another one (a transfer), or leave
    them unassigned; the new case manager is told in their inbox."""
    from tandem.notify.services import notify

    enrollment = _locked(enrollment)
    enrollment_check_held(
        viewer=viewer,
        enrollment=enrollment,
        capability=Capability.ASSIGN_CASELOADS,
        refusal="Only the provider holding the enrollment assigns its participants.",
    )
    previous = enrollment.case_manager
    if (previous.pk if previous else None) == (case_manager.pk if case_manager else None):
        raise ValidationError("That is already the participant's case manager.")
    if case_manager is not None and case_manager.pk not in {
        user.pk for user in assignable_case_managers(enrollment.provider_id)
    }:
        raise ValidationError({"case_manager": ["Choose a case manager of this provider."]})
    enrollment.case_manager = case_manager
    enrollment.full_clean()
    enrollment.save(update_fields=["case_manager", "updated_at"])
    if case_manager is None:
        kind = EnrollmentEvent.Kind.UNASSIGNED
    elif previous is None:
        kind = EnrollmentEvent.Kind.ASSIGNED
    else:
        kind = EnrollmentEvent.Kind.TRANSFERRED
    _event(
        enrollment,
        kind,
        actor=actor,
        from_case_manager=previous,
        to_case_manager=case_manager,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        site=enrollment.site_id,
        action=f"enrollment.{kind}",
        target=enrollment,
        category="enrollment",
        detail={
            "from": str(previous.public_id) if previous else "",
            "to": str(case_manager.public_id) if case_manager else "",
        },
    )
    if case_manager is not None and case_manager.pk != actor.pk:
        notify(
            site=enrollment.site,
            recipients=[case_manager],
            kind="caseload-assigned",
            # No participant data in a subject (it may leave by e-mail or SMS).
            subject="A participant was added to your caseload",
            body=f"{enrollment.person.display_name} is now on your caseload.",
            url=reverse("casework:person", args=[enrollment.person.public_id]),
            actor=actor,
            person=enrollment.person,
            category=Category.ENROLLMENT,
        )
    return enrollment


# Tasks -----------------------------------------------------------------------------------

TASKS_REFUSAL = "Only the team holding the enrollment keeps its follow-ups."


@transaction.atomic
def task_add(
    *, actor: User, viewer: Viewer, enrollment: Enrollment, title: str, due_on: date | None
) -> Task:
    enrollment = _locked(enrollment)
    enrollment_check_held(viewer=viewer, enrollment=enrollment, refusal=TASKS_REFUSAL)
    if not title.strip():
        raise ValidationError({"title": ["Say what needs doing."]})
    task = Task(
        site_id=enrollment.site_id,
        enrollment=enrollment,
        title=title.strip(),
        due_on=due_on,
        created_by=actor,
    )
    task.full_clean()
    task.save()
    audit_record(
        actor=actor,
        site=enrollment.site_id,
        action="task.added",
        target=task,
        category="casework",
        detail={"enrollment": str(enrollment.public_id), "due_on": str(due_on or "")},
    )
    return task


@transaction.atomic
def task_complete(*, actor: User, viewer: Viewer, task: Task) -> Task:
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("enrollment__provider")
        .get(pk=task.pk)
    )
    enrollment_check_held(viewer=viewer, enrollment=task.enrollment, refusal=TASKS_REFUSAL)
    if task.done_at is not None:
        raise ValidationError("This task is already done.")
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by", "updated_at"])
    audit_record(
        actor=actor, site=task.site_id, action="task.done", target=task, category="casework"
    )
    return task


# The inactivity job ----------------------------------------------------------------------


def inactivity_due(site: Site, today: date, days: int) -> Iterable[Enrollment]:
    """Active enrollments of `site` without a substantive contact for more than `days` days
    (counted from the enrollment when there has been none)."""
    cutoff = today - timedelta(days=days)
    return (
        Enrollment.objects.filter(site=site, status=Enrollment.Status.ACTIVE)
        .filter(
            Q(last_substantive_contact_on__lt=cutoff)
            | Q(last_substantive_contact_on__isnull=True, enrolled_on__lt=cutoff)
        )
        .select_related("case_manager")
        .order_by("pk")
    )


def enrollments_mark_inactive(now: datetime) -> int:
    """The periodic job: every site's overdue active participants become inactive and go on
    the outreach list; each case manager is told once per run. Idempotent."""
    from tandem.notify.services import notify

    done = 0
    for site in Site.objects.order_by("pk"):
        today = site.today(now)
        days = policy_rules_in_force(site.pk, today).inactivity_days
        told: dict[int, User] = {}
        for enrollment in inactivity_due(site, today, days):
            with transaction.atomic():
                updated = enrollment_set_inactive(
                    enrollment=enrollment,
                    on=today,
                    reason=f"No substantive contact for more than {days} days (site policy).",
                )
                if updated.status == Enrollment.Status.INACTIVE and updated.inactive_since == today:
                    done += 1
                    if updated.case_manager is not None:
                        told[updated.case_manager.pk] = updated.case_manager
        if told:
            try:
                notify(
                    site=site,
                    recipients=list(told.values()),
                    kind="casework-inactive",
                    subject="Participants on your caseload went on the outreach list",
                    url=reverse("casework:outreach"),
                )
            except ValidationError:
                # A case manager no longer at the site: the statuses stand, the outreach
                # list shows them; only the inbox message is lost.
                logger.exception("Could not tell the case managers of site %s", site.pk)
    return done
