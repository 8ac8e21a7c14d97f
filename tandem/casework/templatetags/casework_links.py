"""Links from a person's page to their casework and timeline, for those who may open them.
Hiding a link is a courtesy: each casework page checks access again."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.access.roles import Category

register = template.Library()


@register.inclusion_tag("casework/_person_links.html")
def casework_person_links(record: Any) -> dict[str, Any]:
    """`record` is the person page's PersonRecord: its categories are what decide() allowed
    the viewer. No query."""
    categories = record.categories
    return {
        "person_id": record.public_id,
        # The enrollment is on the record only when the viewer may see an open one.
        "casework": record.enrollment is not None and Category.CASEWORK in categories,
        "timeline": bool(categories & {Category.IDENTITY, Category.ENROLLMENT}),
    }
