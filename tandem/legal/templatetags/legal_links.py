"""Links from a person's page to their legal pages, for those who may open them. Hiding a
link is a courtesy: each legal page checks access again."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.access.decisions import Capability, can
from tandem.access.roles import Category
from tandem.access.viewer import Viewer

register = template.Library()


@register.inclusion_tag("legal/_person_links.html", takes_context=True)
def legal_person_links(context: dict[str, Any], record: Any) -> dict[str, Any]:
    """`record` is the person page's PersonRecord: its categories are what decide() allowed
    the viewer, so the legal category is there only for the holding team (and, under a
    release, for legal partners)."""
    viewer: Viewer | None = getattr(context.get("request"), "viewer", None)
    if viewer is None or Category.LEGAL not in record.categories:
        return {"person_id": record.public_id, "writes": False, "reads": False}
    return {
        "person_id": record.public_id,
        # Only for an open enrollment: the team whose enrollment ended still sees the
        # record (decide()), but writes nothing more to legal partners.
        "writes": can(viewer, Capability.WRITE_LEGAL_STATUS)
        and record.enrollment is not None
        and record.enrollment.status != "exited",
        "reads": can(viewer, Capability.VIEW_LEGAL_PARTICIPANTS),
    }
