"""The navigation each role sees. Hiding a link is a courtesy: every view checks again."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from tandem.access.decisions import Capability, can
from tandem.access.viewer import Viewer


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    name: str


def navigation_for(viewer: Viewer | None) -> list[NavItem]:
    if viewer is None:
        return []
    items = [NavItem("Home", reverse("core:home"), "home")]
    if can(viewer, Capability.FIND_PEOPLE):
        items.append(NavItem("People", reverse("people:list"), "people"))
    if can(viewer, Capability.EDIT_PEOPLE):
        items.append(NavItem("New person", reverse("people:create"), "people_create"))
    if can(viewer, Capability.POLICE_LOOKUP):
        items.append(NavItem("Lookup", reverse("consent:lookup"), "lookup"))
    if can(viewer, Capability.REVIEW_DUPLICATES):
        items.append(NavItem("Duplicates", reverse("people:duplicates"), "duplicates"))
    if can(viewer, Capability.MANAGE_SITE):
        items.append(NavItem("Members", reverse("tenancy:members"), "members"))
    if can(viewer, Capability.VIEW_AUDIT_LOG):
        items.append(NavItem("Audit log", reverse("audit:log"), "audit"))
    if can(viewer, Capability.MANAGE_API_TOKENS):
        items.append(NavItem("API tokens", reverse("api_tokens:list"), "api_tokens"))
    items.append(NavItem("Security", reverse("mfa_index"), "security"))
    return items
