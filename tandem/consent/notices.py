"""Police contact notices: an officer whose lookup answered with a record tells the
case-management team holding the participant that they saw the person, are worried about
their welfare, or that there was a new incident. The team reads them on /notices/ and is
told through its inbox. Police learn nothing back (Golden Rule 1): not whether the notice
was read, nor anything the team knows.

The lookup's answer carries a signed token per match, naming the person for that officer
only; the send is decided again against the releases in force at that moment, and a token
that is forged, expired, someone else's, or no longer covered by a release answers exactly
what the lookup answers for someone never enrolled."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import cast

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose, Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_read, audit_record
from tandem.casework.models import Enrollment
from tandem.consent.models import ContactNotice
from tandem.notify.services import notify
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Membership, Organization

_SALT = "tandem.consent.contact-notice"
# Long enough for an officer to write a few lines after a lookup on the street; short
# enough that a token kept from an old lookup is of no use.
TOKEN_MAX_AGE = dt.timedelta(hours=2)
NOTIFICATION_KIND = "contact-notice"
# No participant data: e-mail and SMS carry the subject (tandem.notify.services.notify).
NOTIFICATION_SUBJECT = "A police contact notice for one of your participants"
LIST_LIMIT = 100


# The lookup's token ---------------------------------------------------------------------


def notice_token_for(*, viewer: Viewer, person_id: uuid.UUID, reason: str) -> str:
    """A token that lets this viewer (and no one else) send a notice about `person_id`,
    carrying the reason the lookup stated."""
    payload = {"p": str(person_id), "u": viewer.user_id, "s": viewer.site_id, "r": reason}
    return signing.dumps(payload, salt=_SALT, compress=True)


@dataclass(frozen=True, slots=True)
class NoticeToken:
    person_id: uuid.UUID
    reason: str


def notice_token_read(*, viewer: Viewer, token: str) -> NoticeToken | None:
    """The token's person and reason, if it is genuine, recent and this viewer's."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
        person_id = uuid.UUID(str(payload["p"]))
        reason = str(payload["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if payload.get("u") != viewer.user_id or payload.get("s") != viewer.site_id:
        return None
    return NoticeToken(person_id, reason)


@dataclass(frozen=True, slots=True)
class NoticeTarget:
    """Whom a notice is about and which team receives it; for the service only, never
    shown to the officer."""

    person: Person
    provider: Organization
    reason: str


def notice_target_get(*, viewer: Viewer, token: NoticeToken) -> NoticeTarget | None:
    """The person and holding provider, if the viewer may still see the person's enrollment
    (the same decision as the lookup's); None otherwise, exactly as for an unknown person."""
    if not can(viewer, Capability.POLICE_LOOKUP):
        return None
    person = (
        people_in_scope(viewer.site_id, viewer=viewer).filter(public_id=token.person_id).first()
    )
    if person is None or person.holding_organization_id is None:  # type: ignore[attr-defined]
        return None
    if not decide(
        viewer=viewer,
        person=cast(Subject, person),
        category=Category.ENROLLMENT,
        purpose=Purpose.POLICE_LOOKUP,
    ):
        return None
    provider = Organization.objects.get(pk=person.holding_organization_id)  # type: ignore[attr-defined]
    return NoticeTarget(person=person, provider=provider, reason=token.reason)


# Writes ---------------------------------------------------------------------------------


@transaction.atomic
def contact_notice_send(
    *,
    actor: User,
    viewer: Viewer,
    target: NoticeTarget,
    kind: str,
    text: str,
    place: str = "",
) -> ContactNotice:
    """Record the notice for the holding provider's team and tell its case managers (and
    the case manager assigned to the participant) through their inbox. Validates first;
    bad input raises ValidationError and writes nothing."""
    errors: dict[str, list[str]] = {}
    text, place = text.replace("\x00", "").strip(), place.replace("\x00", "").strip()
    if kind not in ContactNotice.Kind.values:
        errors["kind"] = ["Choose what the notice is about."]
    if not text:
        errors["text"] = ["Say in a few words what happened."]
    elif len(text) > ContactNotice.TEXT_MAX_LENGTH:
        errors["text"] = [f"Keep it to {ContactNotice.TEXT_MAX_LENGTH} characters."]
    if len(place) > ContactNotice.PLACE_MAX_LENGTH:
        errors["place"] = [f"Keep the place to {ContactNotice.PLACE_MAX_LENGTH} characters."]
    if errors:
        raise ValidationError(errors)
    notice = ContactNotice(
        site_id=target.person.site_id,
        person=target.person,
        provider=target.provider,
        sent_by=actor,
        sent_by_organization_id=viewer.organization_id,
        kind=kind,
        text=text,
        place=place,
    )
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor,
        site=notice.site_id,
        action="contact_notice.sent",
        target=notice,
        category=Category.WHEREABOUTS if place else Category.ENROLLMENT,
        purpose=Purpose.POLICE_LOOKUP,
        detail={
            "person": str(target.person.public_id),
            "provider": str(target.provider.public_id),
            "kind": kind,
            "lookup_reason": target.reason,
        },
    )
    notify(
        site=target.provider.site,
        recipients=_recipients(target),
        kind=NOTIFICATION_KIND,
        subject=NOTIFICATION_SUBJECT,
        body=f"{notice.get_kind_display()}. Open the contact notices to read it.",
        url=reverse("consent:notices"),
        actor=actor,
        # Whose police contact it was, decided as the notices page decides it.
        person=target.person,
        category="whereabouts",
    )
    return notice


def _recipients(target: NoticeTarget) -> list[User]:
    """The holding provider's active case managers, and the case manager the enrollment
    names (whatever their role there), if still an active member of the provider."""
    assigned = (
        Enrollment.objects.filter(person=target.person, provider=target.provider)
        .exclude(status=Enrollment.Status.EXITED)
        .values("case_manager_id")[:1]
    )
    memberships = (
        Membership.objects.filter(
            organization=target.provider, is_active=True, user__is_active=True
        )
        .filter(Q(role=Role.CASE_MANAGER) | Q(user_id__in=assigned))
        .select_related("user")
    )
    return [membership.user for membership in memberships]


def contact_notice_refused(*, actor: User, viewer: Viewer, token: NoticeToken | None) -> None:
    """Audit a send that was answered "no record I can share"."""
    audit_record(
        actor=actor,
        site=viewer.site_id,
        action="contact_notice.refused",
        purpose=Purpose.POLICE_LOOKUP,
        detail={
            "person": str(token.person_id) if token else "",
            "token": "valid" if token else "invalid",
        },
    )


@transaction.atomic
def contact_notice_mark_seen(*, actor: User, notice: ContactNotice) -> ContactNotice:
    """Mark a notice as seen by the team; marking it again changes nothing."""
    notice = ContactNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.seen_at is not None:
        return notice
    notice.seen_at = timezone.now()
    notice.seen_by = actor
    notice.save(update_fields=["seen_at", "seen_by", "updated_at"])
    audit_record(
        actor=actor,
        site=notice.site_id,
        action="contact_notice.seen",
        target=notice,
        detail={"person": str(notice.person.public_id)},
    )
    return notice


# Reads ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeShown:
    public_id: uuid.UUID
    kind: str
    kind_label: str
    text: str
    place: str
    sent_at: dt.datetime
    sent_by: str
    agency: str
    person_id: uuid.UUID
    display_name: str
    seen_at: dt.datetime | None
    seen_by: str


def _visible(viewer: Viewer, notices: list[ContactNotice]) -> dict[int, Person]:
    """The people of `notices` whom the viewer's team still holds: a notice says where the
    person was, so it is shown only to a viewer who may see whereabouts and identity."""
    people = people_in_scope(viewer.site_id, viewer=viewer).filter(
        pk__in={notice.person_id for notice in notices}
    )
    return {
        person.pk: person
        for person in people
        if all(
            decide(
                viewer=viewer,
                person=cast(Subject, person),
                category=category,
                purpose=Purpose.CARE_COORDINATION,
            )
            for category in (Category.IDENTITY, Category.WHEREABOUTS)
        )
    }


def contact_notice_list(*, viewer: Viewer, limit: int = LIST_LIMIT) -> list[NoticeShown]:
    """The notices police sent the viewer's provider about participants it holds, newest
    first. The read is audited."""
    if not can(viewer, Capability.READ_CONTACT_NOTICES):
        raise OutOfScope("No such page.")
    notices = list(
        ContactNotice.objects.filter(site_id=viewer.site_id, provider_id=viewer.organization_id)
        .select_related("sent_by", "sent_by_organization", "seen_by")
        .order_by("-created_at", "-id")[:limit]
    )
    people = _visible(viewer, notices)
    shown = [
        NoticeShown(
            public_id=notice.public_id,
            kind=notice.kind,
            kind_label=notice.get_kind_display(),
            text=notice.text,
            place=notice.place,
            sent_at=notice.created_at,
            sent_by=str(notice.sent_by),
            agency=notice.sent_by_organization.name,
            person_id=people[notice.person_id].public_id,
            display_name=people[notice.person_id].display_name,
            seen_at=notice.seen_at,
            seen_by=str(notice.seen_by or ""),
        )
        for notice in notices
        if notice.person_id in people
    ]
    audit_read(
        viewer=viewer,
        action="contact_notice.listed",
        category=Category.WHEREABOUTS,
        purpose=Purpose.CARE_COORDINATION,
        detail={"count": len(shown), "people": sorted({str(n.person_id) for n in shown})},
    )
    return shown


def contact_notice_for_change(*, viewer: Viewer, public_id: uuid.UUID) -> ContactNotice:
    """A notice the viewer's team may mark as seen; anything else is OutOfScope (404)."""
    if not can(viewer, Capability.READ_CONTACT_NOTICES):
        raise OutOfScope("No such notice.")
    notice = (
        ContactNotice.objects.filter(
            site_id=viewer.site_id, provider_id=viewer.organization_id, public_id=public_id
        )
        .select_related("person")
        .first()
    )
    if notice is None or notice.person_id not in _visible(viewer, [notice]):
        raise OutOfScope("No such notice.")
    return notice
