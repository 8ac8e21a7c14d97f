"""Links from a person's page to their plan, services, expenses and outcomes, for those who
may open them. Hiding a link is a courtesy: each page checks access again."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.access.roles import Category

register = template.Library()


@register.inclusion_tag("casework_support/_person_links.html")
def casework_support_links(record: Any) -> dict[str, Any]:
    """`record` is the person page's PersonRecord: its categories are what decide() allowed
    the viewer, so casework is there only for the holding team and the project manager."""
    categories: frozenset[str] = getattr(record, "categories", frozenset())
    # Only for a participant whose enrollment the viewer sees: someone never enrolled has
    # no plan, and a link shown for them but not for a Part 2 programme's patient (whose
    # enrollment is withheld) would tell the two apart (42 CFR 2.13(c)).
    return {
        "person_id": record.public_id,
        "shows": Category.CASEWORK in categories and record.enrollment is not None,
        "financial": Category.FINANCIAL in categories,
    }
