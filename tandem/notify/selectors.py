"""Reads of a user's own notifications at their current site. Nobody reads anyone else's."""

from __future__ import annotations

import uuid

from tandem.access.errors import OutOfScope
from tandem.accounts.models import User
from tandem.notify.models import Notification

INBOX_LIMIT = 50


def _user_id(user: User | int) -> int:
    return user if isinstance(user, int) else user.pk


def inbox(user: User | int, site_id: int, limit: int = INBOX_LIMIT) -> list[Notification]:
    """The newest `limit` notifications of `user` at the site, newest first (one query)."""
    return list(
        Notification.objects.filter(recipient_id=_user_id(user), site_id=site_id).only(
            "public_id", "created_at", "kind", "subject", "body", "url", "read_at"
        )[:limit]
    )


def unread_count(user: User | int, site_id: int) -> int:
    """How many of `user`'s notifications at the site are unread (one query)."""
    return Notification.objects.filter(
        recipient_id=_user_id(user), site_id=site_id, read_at__isnull=True
    ).count()


def notification_get(*, user: User, site_id: int, public_id: uuid.UUID) -> Notification:
    """`user`'s own notification at the site; anything else answers 404."""
    notification = Notification.objects.filter(
        public_id=public_id, recipient_id=user.pk, site_id=site_id
    ).first()
    if notification is None:
        raise OutOfScope("No such notification.")
    return notification
