"""Reads of a user's own notifications at their current site. Nobody reads anyone else's.

A body that tells something of a participant was written when its recipient was entitled
to know it; the inbox shows it only while they still are, and audits the read. What the
notification records says who decides (tandem.notify.models):

- a `referral` or a `hold`: the body repeats what that record's page shows, so the record's
  own scope decides, as on that page (`referrals_visible`; the holds a prosecutor's office
  or the project office may open);
- else a `person`: `decide()` must allow the reader both who the person is (identity) and
  the notification's `category`, for the reader's role's default purpose;
- else nothing: the body names nobody (or was written before notifications recorded it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from tandem.access.decisions import Subject, decide, default_purpose
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.disclosures import (
    Channel,
    Part2Notice,
    Part2Subject,
    Shown,
    disclose,
    programme_releases,
)
from tandem.legal.models import DivertedChargeHold
from tandem.legal.selectors.holds import holds_in_scope
from tandem.notify.models import Notification
from tandem.people.models import Person
from tandem.people.selectors import people_in_scope
from tandem.referrals.selectors import referrals_visible

INBOX_LIMIT = 50
# Shown instead of a body the reader may no longer read; it says nothing of the person.
NO_ACCESS = "You no longer have access to this participant's record."


def _user_id(user: User | int) -> int:
    return user if isinstance(user, int) else user.pk


def unread_count(user: User | int, site_id: int) -> int:
    """How many of `user`'s notifications at the site are unread (one query). A count says
    nothing of anyone, so withheld bodies count like the others."""
    return Notification.objects.filter(
        recipient_id=_user_id(user), site_id=site_id, read_at__isnull=True
    ).count()


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One notification as its recipient may see it now. When `withheld`, `body` is the
    neutral NO_ACCESS line and the notification offers no link."""

    public_id: uuid.UUID
    created_at: dt.datetime
    kind: str
    subject: str
    body: str
    withheld: bool
    has_link: bool
    is_unread: bool


@dataclass(frozen=True, slots=True)
class Inbox:
    items: list[InboxItem]
    # Set when a body shown is a 42 CFR Part 2 programme's information disclosed outside it:
    # the page carries the notice (42 CFR 2.32).
    part2_notice: Part2Notice | None = None

    @property
    def has_unread(self) -> bool:
        return any(item.is_unread for item in self.items)


def _own(viewer: Viewer) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=viewer.user_id, site_id=viewer.site_id)


def notification_list(*, viewer: Viewer, limit: int = INBOX_LIMIT) -> Inbox:
    """The viewer's newest `limit` notifications at their site, newest first, each body
    shown only if the viewer may read it now. One audit event lists the participants whose
    bodies were shown (none when no body tells of anyone). The query count does not depend
    on the number of notifications: one for them, and at most one more for each way of
    deciding present (people, referrals, holds), then the audit."""
    notifications = list(
        _own(viewer)
        .only(
            "public_id",
            "created_at",
            "kind",
            "subject",
            "body",
            "url",
            "read_at",
            "person_id",
            "category",
            "referral_id",
            "hold_id",
        )
        # For the audit: whom each body is about, as far as the record knows now (a
        # referral may have been linked to a person since).
        .annotate(
            about_public_id=Coalesce(F("person__public_id"), F("referral__person__public_id")),
            referral_public_id=F("referral__public_id"),
            hold_public_id=F("hold__public_id"),
        )[:limit]
    )
    readable = _readable(viewer, notifications)
    items = [
        InboxItem(
            public_id=n.public_id,
            created_at=n.created_at,
            kind=n.kind,
            subject=n.subject,
            body=n.body if readable.allows(n) else NO_ACCESS,
            withheld=not readable.allows(n),
            has_link=bool(n.url) and readable.allows(n),
            is_unread=n.is_unread,
        )
        for n in notifications
    ]
    shown = [n for n in notifications if _is_about(n) and readable.allows(n)]
    if not shown:
        return Inbox(items)
    disclosed = disclose(
        viewer=viewer,
        shown=readable.shown(shown),
        channel=Channel.SCREEN,
        purpose=readable.purpose,
        action="notification.inbox_read",
        category=Category.IDENTITY,
        detail={
            "count": len(shown),
            # Annotated by the query above.
            "people": _listed(getattr(n, "about_public_id", None) for n in shown),
            "referrals": _listed(getattr(n, "referral_public_id", None) for n in shown),
            "holds": _listed(getattr(n, "hold_public_id", None) for n in shown),
            "categories": sorted({n.category for n in shown}),
        },
    )
    return Inbox(items, disclosed.notice)


def notification_link(*, viewer: Viewer, notification: Notification) -> str:
    """Where opening `notification` leads: its link, unless the viewer may no longer read
    what it is about (then nowhere, as the inbox offers no link)."""
    if not notification.url:
        return ""
    if _is_about(notification) and not _readable(viewer, [notification]).allows(notification):
        return ""
    return notification.url


def notification_get(*, user: User, site_id: int, public_id: uuid.UUID) -> Notification:
    """`user`'s own notification at the site; anything else answers 404."""
    notification = Notification.objects.filter(
        public_id=public_id, recipient_id=user.pk, site_id=site_id
    ).first()
    if notification is None:
        raise OutOfScope("No such notification.")
    return notification


# Deciding -------------------------------------------------------------------------------


def _is_about(notification: Notification) -> bool:
    return bool(notification.person_id or notification.referral_id or notification.hold_id)


def _listed(values: Iterable[object]) -> list[str]:
    return sorted({str(value) for value in values if value})


@dataclass(frozen=True, slots=True)
class _Readable:
    """What the viewer may read now, decided once for a list of notifications."""

    purpose: str
    people: dict[int, Person]
    allowed_people: frozenset[tuple[int, str]]
    referrals: frozenset[int]
    holds: frozenset[int]

    def allows(self, notification: Notification) -> bool:
        if notification.referral_id is not None:
            return notification.referral_id in self.referrals
        if notification.hold_id is not None:
            return notification.hold_id in self.holds
        if notification.person_id is not None:
            return (notification.person_id, notification.category) in self.allowed_people
        return True

    def shown(self, notifications: Sequence[Notification]) -> list[Shown]:
        """Who the decided bodies showed and of which categories, for `disclose()`. A body
        that a referral's or a hold's scope let through is that record's information, not
        a programme's, so it is listed in the audit event only."""
        categories: dict[int, set[Category]] = {}
        for n in notifications:
            if n.referral_id is None and n.hold_id is None and n.person_id is not None:
                categories.setdefault(n.person_id, {Category.IDENTITY}).add(Category(n.category))
        return [
            Shown(cast(Part2Subject, self.people[pk]), frozenset(found))
            for pk, found in categories.items()
        ]


def _readable(viewer: Viewer, notifications: Sequence[Notification]) -> _Readable:
    """Decide every notification about someone at once: one query per way of deciding
    present, whatever the number of notifications."""
    purpose = default_purpose(viewer.role)
    person_ids = {
        n.person_id
        for n in notifications
        if n.referral_id is None and n.hold_id is None and n.person_id is not None
    }
    referral_ids = {n.referral_id for n in notifications if n.referral_id is not None}
    hold_ids = {n.hold_id for n in notifications if n.hold_id is not None}
    people: dict[int, Person] = {}
    allowed_people: set[tuple[int, str]] = set()
    if person_ids and purpose is not None:
        people = {
            person.pk: person
            for person in people_in_scope(viewer.site_id, viewer=viewer)
            # The releases a Part 2 disclosure would cite, read in the same query.
            .annotate(part2_releases=programme_releases(viewer=viewer))
            .filter(pk__in=person_ids)
        }
        for n in notifications:
            person = people.get(n.person_id) if n.person_id is not None else None
            if person is None or n.category not in Category.values:
                continue
            subject = cast(Subject, person)
            if all(
                decide(viewer=viewer, person=subject, category=category, purpose=purpose)
                for category in {Category.IDENTITY, Category(n.category)}
            ):
                allowed_people.add((person.pk, n.category))
    return _Readable(
        purpose=str(purpose or ""),
        people=people,
        allowed_people=frozenset(allowed_people),
        referrals=_referrals_open(viewer, referral_ids),
        holds=_holds_open(viewer, hold_ids),
    )


def _referrals_open(viewer: Viewer, referral_ids: set[int]) -> frozenset[int]:
    if not referral_ids:
        return frozenset()
    # The referral page's own scope (who may open a referral): the inbox shows a body that
    # repeats a referral exactly when its link would open it.
    return frozenset(
        referrals_visible(viewer)
        .filter(pk__in=referral_ids)
        .order_by()
        .values_list("pk", flat=True)
    )


def _holds_open(viewer: Viewer, hold_ids: set[int]) -> frozenset[int]:
    if not hold_ids:
        return frozenset()
    try:
        holds: QuerySet[DivertedChargeHold] = holds_in_scope(viewer)
    except OutOfScope:
        return frozenset()
    return frozenset(holds.filter(pk__in=hold_ids).values_list("pk", flat=True))
