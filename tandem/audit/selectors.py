from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from tandem.access.decisions import Capability, can
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.tenancy.models import Membership


@dataclass(frozen=True, slots=True)
class AuditFilter:
    target: str = ""  # a public id: "who viewed person X"
    actor: str = ""  # a username: "what did user Y open"
    action: str = ""  # a prefix, e.g. "person." or "auth."
    since: date | None = None
    until: date | None = None


def audit_event_list(*, viewer: Viewer, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """The site's events, newest first: those recorded at the site, and the sign-in events of
    the site's members (those happen before a site is chosen)."""
    if not can(viewer, Capability.VIEW_AUDIT_LOG):
        return AuditEvent.objects.none()
    members = Membership.objects.filter(site_id=viewer.site_id).values("user_id")
    events = AuditEvent.objects.filter(
        Q(site_id=viewer.site_id) | Q(site__isnull=True, actor_id__in=members)
    )
    if filters.target:
        events = events.filter(target_id=filters.target.strip())
    if filters.actor:
        events = events.filter(actor_label=filters.actor.strip())
    if filters.action:
        events = events.filter(action__startswith=filters.action.strip())
    if filters.since:
        events = events.filter(occurred_at__date__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__date__lte=filters.until)
    return events.order_by("-seq")
