"""Who writes a participant's casework: one rule for the core app's services and selectors
and the support app's (`tandem.casework.support.services.holding`). Pages check it before
calling a service, through a selector that answers 404 otherwise; services check it again,
because a service may be called from elsewhere (a task, the API, the demo)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tandem.access.decisions import Capability, can, decide
from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category, Purpose
from tandem.access.viewer import Viewer
from tandem.casework.contact_links import held_subject
from tandem.casework.models import Enrollment
from tandem.people.models import Person

EXITED = "This participant has exited."


def _holding_team(viewer: Viewer, enrollment: Enrollment, capability: Capability) -> bool:
    if viewer.role not in CASE_MANAGEMENT_ROLES or not can(viewer, capability):
        return False
    if enrollment.site_id != viewer.site_id or enrollment.provider_id != viewer.organization_id:
        return False
    return bool(
        decide(
            viewer=viewer,
            person=held_subject(enrollment),
            category=Category.CASEWORK,
            purpose=Purpose.CARE_COORDINATION,
        )
    )


def enrollment_held_by(
    viewer: Viewer, enrollment: Enrollment, *, capability: Capability = Capability.LOG_CONTACTS
) -> bool:
    """THE rule for writing a participant's casework: the viewer is a member of the
    case-management team of the provider holding `enrollment`, it is still open, the
    viewer's role has `capability`, and decide() allows them the participant's casework.
    After an exit nobody holds it: the former team reads its record, writes nothing.
    `enrollment.provider` should be loaded (select_related) to spare a query."""
    return enrollment.status != Enrollment.Status.EXITED and _holding_team(
        viewer, enrollment, capability
    )


def enrollment_check_held(
    *,
    viewer: Viewer | None,
    enrollment: Enrollment,
    capability: Capability = Capability.LOG_CONTACTS,
    refusal: str = "Only the team holding the participant's enrollment writes their casework.",
    exited: str = EXITED,
) -> None:
    """A ValidationError unless `enrollment_held_by(viewer, enrollment)`: `refusal` for a
    viewer outside the holding team, then `exited` for an ended enrollment (which only its
    former team learns this way). `viewer` None is the system (the demo seed, an import, a
    job), which acts for whoever holds the enrollment, while it is open."""
    if viewer is not None and not _holding_team(viewer, enrollment, capability):
        raise ValidationError(refusal)
    if enrollment.status == Enrollment.Status.EXITED:
        raise ValidationError(exited)


def open_enrollment_of(person: Person | int) -> Enrollment | None:
    """The person's open enrollment (a person has at most one), with its provider and site,
    ready for `enrollment_check_held`."""
    return (
        Enrollment.objects.filter(person=person)
        .exclude(status=Enrollment.Status.EXITED)
        .select_related("provider", "site")
        .first()
    )
