"""Which categories current releases grant an organisation, computed inside the query that
loads people, so the access decision needs no query of its own.

A grant is current when its release is in effect on the given day (effective_on <= day <=
expires_on, in the site's time zone) and neither the grant nor the release is revoked. No
job marks anything expired: expiry and revocation take effect on the next request."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    Expression,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from tandem.access.roles import Category
from tandem.consent.models import Consent, ConsentGrant

# Grants' category lists are joined with this between them: ["a","b"],["c"].
_JOIN = ","


def categories_from_aggregate(value: str | None) -> frozenset[Category]:
    """The union of the category lists of several grants, read from their joined JSON."""
    if not value:
        return frozenset()
    lists = json.loads(f"[{value}]")
    known = set(Category.values)
    return frozenset(Category(item) for items in lists for item in items if item in known)


class GrantedCategoriesField(TextField):  # type: ignore[type-arg]
    """The output of the annotation: the database's joined text, read as a frozenset."""

    def from_db_value(self, value: str | None, expression: object, conn: object) -> Any:
        return categories_from_aggregate(value)


def current_grants(*, organization_id: int, today: date) -> QuerySet[ConsentGrant]:
    return ConsentGrant.objects.filter(
        organization_id=organization_id,
        revoked_at__isnull=True,
        consent__revoked_at__isnull=True,
        consent__effective_on__lte=today,
        consent__expires_on__gte=today,
    )


def granted_categories(
    *,
    organization_id: int,
    today: date,
    person_ref: str = "pk",
    recorded_by: Expression | OuterRef | None = None,
) -> Subquery:
    """A subquery for the categories granted to `organization_id` for the outer person, from
    releases recorded by `recorded_by` when it is given."""
    grants = current_grants(organization_id=organization_id, today=today).filter(
        consent__person_id=OuterRef(person_ref)
    )
    if recorded_by is not None:
        grants = grants.filter(consent__recorded_by_organization_id=recorded_by)
    joined = (
        grants.order_by()
        .values("consent__person_id")
        .annotate(
            joined=StringAgg(Cast("categories", output_field=TextField()), delimiter=Value(_JOIN))
        )
        .values("joined")
    )
    return Subquery(joined, output_field=GrantedCategoriesField())


def not_computed() -> Value:
    """For queries made without a viewer: the decision refuses every consent-based answer."""
    return Value(None, output_field=TextField())


def granted_categories_sql(
    *, person_column: str, recorded_by_column: str | None = None
) -> tuple[str, int]:
    """The same subquery as raw SQL for hand-written queries; returns the SQL (with three
    placeholders: organisation id, today, today) and how many placeholders it has."""
    grant, consent = ConsentGrant._meta.db_table, Consent._meta.db_table
    if connection.vendor == "postgresql":
        joined = f"STRING_AGG(CAST(g.categories AS TEXT), '{_JOIN}')"
    else:
        joined = f"GROUP_CONCAT(g.categories, '{_JOIN}')"
    recorder = (
        f" AND c.recorded_by_organization_id = {recorded_by_column}" if recorded_by_column else ""
    )
    sql = (
        f"(SELECT {joined} FROM {grant} g JOIN {consent} c ON c.id = g.consent_id "  # noqa: S608
        f"WHERE c.person_id = {person_column} AND g.organization_id = %s "
        "AND g.revoked_at IS NULL AND c.revoked_at IS NULL "
        f"AND c.effective_on <= %s AND c.expires_on >= %s{recorder})"
    )
    return sql, 3
