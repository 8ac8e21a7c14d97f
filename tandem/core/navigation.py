"""The navigation each role sees. Hiding a link is a courtesy: every view checks again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tandem.access.decisions import Capability, ReferralScope, can, referral_scope
from tandem.access.viewer import Viewer


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    name: str
    # A count shown beside the label (e.g. unread notifications); lazy, so it is only
    # queried when a template renders it.
    badge: Any = None


def navigation_for(viewer: Viewer | None) -> list[NavItem]:
    if viewer is None:
        return []
    items = [NavItem("Home", reverse("core:home"), "home")]
    if viewer.user_id is not None:
        items.append(NavItem("Inbox", reverse("notify:inbox"), "inbox", _unread(viewer)))
    if can(viewer, Capability.FIND_PEOPLE):
        items.append(NavItem("People", reverse("people:list"), "people"))
    if can(viewer, Capability.EDIT_PEOPLE):
        items.append(NavItem("New person", reverse("people:create"), "people_create"))
    if _opens_referral_queue(viewer):
        items.append(NavItem("Referrals", reverse("referrals:queue"), "referrals"))
    if can(viewer, Capability.MANAGE_ON_CALL):
        items.append(NavItem("On call", reverse("referrals:on_call"), "on_call"))
    if can(viewer, Capability.POLICE_LOOKUP):
        items.append(NavItem("Lookup", reverse("consent:lookup"), "lookup"))
    if can(viewer, Capability.READ_CONTACT_NOTICES):
        items.append(NavItem("Contact notices", reverse("consent:notices"), "notices"))
    if can(viewer, Capability.VIEW_OUTREACH_LIST):
        items.append(NavItem("Outreach", reverse("casework:outreach"), "outreach"))
    if can(viewer, Capability.ASSIGN_CASELOADS):
        items.append(NavItem("Caseloads", reverse("casework:caseloads"), "caseloads"))
    if can(viewer, Capability.WRITE_CASEWORK):
        items.append(NavItem("Funds", reverse("casework_support:funds"), "funds"))
    if can(viewer, Capability.MANAGE_FUNDS):
        items.append(NavItem("Approvals", reverse("casework_support:approvals"), "approvals"))
    if can(viewer, Capability.VIEW_SERVICE_DIRECTORY):
        items.append(NavItem("Services", reverse("casework_support:providers"), "providers"))
    if can(viewer, Capability.REVIEW_DUPLICATES):
        items.append(NavItem("Duplicates", reverse("people:duplicates"), "duplicates"))
    if can(viewer, Capability.WORK_HOLDS) or can(viewer, Capability.VIEW_HOLDS):
        items.append(NavItem("Holds", reverse("legal:holds"), "holds"))
    if can(viewer, Capability.VIEW_LEGAL_PARTICIPANTS):
        items.append(NavItem("Participants", reverse("legal:participants"), "legal_participants"))
    if can(viewer, Capability.VIEW_POLICY):
        items.append(NavItem("Policy", reverse("policy:list"), "policy"))
    if can(viewer, Capability.MANAGE_SITE):
        items.append(NavItem("Members", reverse("tenancy:members"), "members"))
        items.append(NavItem("Access matrix", reverse("access:matrix"), "access_matrix"))
    if can(viewer, Capability.VIEW_AUDIT_LOG):
        items.append(NavItem("Audit log", reverse("audit:log"), "audit"))
    if can(viewer, Capability.MANAGE_API_TOKENS):
        items.append(NavItem("API tokens", reverse("api_tokens:list"), "api_tokens"))
    items.append(NavItem("Security", reverse("mfa_index"), "security"))
    return items


def _opens_referral_queue(viewer: Viewer) -> bool:
    """Whether the referral queue opens for the viewer: as the queue itself decides it
    (`referral_scope`), with the approvers named by the site's policy in force (a prosecutor
    at some sites). The policy is read only for a role that no capability already sends to
    the queue, through the per-process cache the referral pages share (no query on most
    pages)."""
    if can(viewer, Capability.MAKE_REFERRALS) or can(viewer, Capability.WORK_REFERRALS):
        return True
    from tandem.policy.selectors import site_rules

    rules, _ = site_rules(viewer.site_id, timezone.localdate())
    scope = referral_scope(viewer, approver_roles=frozenset(rules.approver_roles))
    return scope is not ReferralScope.NONE


# The unread count of the member this request acts as, (user id, site id, count), when the
# middleware read it with the membership (CurrentSiteMiddleware): one query fewer per page.
_known_unread: ContextVar[tuple[int, int, int] | None] = ContextVar(
    "tandem_known_unread", default=None
)


@contextmanager
def unread_known(*, user_id: int, site_id: int, count: int) -> Iterator[None]:
    """While the request runs, the navigation shows `count` as the user's unread count at
    the site instead of querying it."""
    token = _known_unread.set((user_id, site_id, count))
    try:
        yield
    finally:
        _known_unread.reset(token)


def _unread(viewer: Viewer) -> Any:
    from tandem.notify.selectors import unread_count

    user_id, site_id = viewer.user_id, viewer.site_id
    assert user_id is not None
    known = _known_unread.get()
    if known is not None and known[:2] == (user_id, site_id):
        return known[2]
    return SimpleLazyObject(lambda: unread_count(user_id, site_id))
