"""Writing to the audit chain. Callers are services (writes) and selectors (reads of
participant data); both call `audit_record` inside their own transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from tandem.audit.context import NO_ORIGIN, current_origin
from tandem.audit.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from tandem.access.viewer import Viewer
    from tandem.accounts.models import User
    from tandem.tenancy.models import Site

GENESIS_HASH = "0" * 64
HEAD_PK = 1


def _chain_key() -> bytes:
    # Keyed, so that someone who can write to the database but does not hold the key cannot
    # recompute the chain after changing a row. The key must stay the same for the life of
    # the chain; by default it is derived from the secret key.
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"tandem.audit.chain:" + settings.SECRET_KEY.encode()).digest()


def event_payload(event: AuditEvent) -> bytes:
    """One row's fields and the previous row's hash, as canonical JSON."""
    payload = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "api_token_id": event.api_token_id,
        "site_id": event.site_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "category": event.category,
        "purpose": event.purpose,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_digest(event: AuditEvent) -> str:
    """The keyed hash (HMAC-SHA-256) of one row's payload."""
    return hmac.new(_chain_key(), event_payload(event), hashlib.sha256).hexdigest()


def _target_parts(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    public_id = getattr(target, "public_id", None)
    return target._meta.label_lower, str(public_id if public_id is not None else target.pk)


def audit_record(
    *,
    actor: User | None,
    action: str,
    site: Site | int | None = None,
    target: models.Model | None = None,
    category: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event done by a user (or by the system when `actor` is None)."""
    known = actor is not None and actor.is_authenticated
    return _append(
        actor_id=actor.pk if known and actor is not None else None,
        actor_label=actor_label or (actor.get_username() if known and actor is not None else ""),
        api_token_id=None,
        action=action,
        site=site,
        target=target,
        category=category,
        purpose=purpose,
        detail=detail,
    )


def audit_read(
    *,
    viewer: Viewer,
    action: str,
    target: models.Model | None = None,
    category: str = "",
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append a read of participant data by a member or a partner system's token."""
    return _append(
        actor_id=viewer.user_id,
        actor_label=viewer.label,
        api_token_id=viewer.api_token_id,
        action=action,
        site=viewer.site_id,
        target=target,
        category=category,
        purpose=purpose,
        detail=detail,
    )


@transaction.atomic(savepoint=False)
def _append(
    *,
    actor_id: int | None,
    actor_label: str,
    api_token_id: int | None,
    action: str,
    site: Site | int | None,
    target: models.Model | None,
    category: str,
    purpose: str,
    detail: dict[str, Any] | None,
) -> AuditEvent:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=HEAD_PK, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    origin = current_origin.get() or NO_ORIGIN
    target_type, target_id = _target_parts(target)
    site_id = site if isinstance(site, int) or site is None else site.pk
    occurred_at = timezone.now()
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        api_token_id=api_token_id,
        site_id=site_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        category=category,
        purpose=purpose,
        ip=origin.ip,
        user_agent=origin.user_agent,
        detail=detail or {},
        prev_hash=head.last_hash,
    )
    event.hash = event_digest(event)
    event.save()
    AuditChainHead.objects.filter(pk=HEAD_PK).update(last_seq=event.seq, last_hash=event.hash)
    return event
