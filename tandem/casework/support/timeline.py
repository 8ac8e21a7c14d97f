"""This app's rows on the participant timeline (tandem.casework.timeline): plan changes,
service links, expenses and outcome snapshots. Each is a `TimelineQuery`, so all four join
the page's one UNION query; a viewer who could see nothing of a table's category adds no
part to it. The registry then asks decide() and the Part 2 rule about every entry."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import CharField, DateTimeField, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import decide
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.casework.support.domains import Domain, HousingStatus
from tandem.casework.support.models import (
    Expense,
    ExpenseCategory,
    OutcomeSnapshot,
    PlanEvent,
    ServiceLink,
    ServiceLinkEvent,
    ServiceType,
)
from tandem.casework.timeline import TimelineEntry, TimelineQuery, register_timeline_query

PURPOSE = Purpose.CARE_COORDINATION
_PLAN_KINDS = dict(PlanEvent.Kind.choices)
_DOMAINS = dict(Domain.choices)
_SERVICE_TYPES = dict(ServiceType.choices)
_LINK_STATUSES = dict(ServiceLink.Status.choices)
_EXPENSE_CATEGORIES = dict(ExpenseCategory.choices)
_EXPENSE_STATUSES = dict(Expense.Status.choices)
_HOUSING = dict(HousingStatus.choices)


def _may_see(viewer: Viewer, person: Any, category: Category) -> bool:
    return bool(decide(viewer=viewer, person=person, category=category, purpose=PURPOSE))


def _recorder(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "recorded_by_organization_id": row["organization_id"],
        "recorded_by_part2": bool(row["organization_part2"]),
    }


def _url(name: str, person: Any) -> str:
    # A UUID arrives as the database keeps it: 32 hex digits (SQLite) or with dashes.
    return reverse(name, args=[uuid.UUID(str(person))])


def _noon(day: Any) -> dt.datetime:
    """A date-only row sorts at noon of its day, in the site's time zone."""
    on = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12)))


# Plan changes ----------------------------------------------------------------------------


def _plan_rows(viewer: Viewer, person: Any) -> QuerySet[PlanEvent] | None:
    if not _may_see(viewer, person, Category.CASEWORK):
        return None
    return PlanEvent.objects.filter(person_id=person.pk)


def _plan_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    before, after = row["before"] or "", row["after"] or ""
    return [
        TimelineEntry(
            at=row["at"],
            kind=f"plan.{row['kind']}",
            category=Category(row["category"]),
            title=f"{_PLAN_KINDS.get(row['kind'], 'Plan')} · {_DOMAINS.get(row['domain'], '')}",
            detail=(f"{before} → {after}" if before else after)[:300],
            url=_url("casework_support:plan", row["person"]),
            **_recorder(row),
        )
    ]


PLAN_CHANGES = register_timeline_query(
    TimelineQuery(
        name="casework_support.plan",
        rows=_plan_rows,
        at="at",
        fields={
            "kind": "kind",
            "category": "category",
            "before": "before",
            "after": "after",
            "domain": "goal__domain",
            "person": "person__public_id",
            "organization_id": "by_organization_id",
            "organization_part2": "by_organization__is_part2_program",
        },
        convert=_plan_entries,
    )
)


# Service links ---------------------------------------------------------------------------


def _service_rows(viewer: Viewer, person: Any) -> QuerySet[ServiceLinkEvent] | None:
    if not _may_see(viewer, person, Category.CASEWORK):
        return None
    return ServiceLinkEvent.objects.filter(link__person_id=person.pk)


def _service_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    status = _LINK_STATUSES.get(row["status"], row["status"])
    return [
        TimelineEntry(
            at=row["at"],
            kind=f"service.{row['status']}",
            category=Category(row["category"]),
            title=f"{_SERVICE_TYPES.get(row['service_type'], 'Service')}: {status.lower()} · "
            f"{row['provider']}",
            detail=(row["outcome"] or "")[:300],
            url=_url("casework_support:services", row["person"]),
            **_recorder(row),
        )
    ]


SERVICE_CHANGES = register_timeline_query(
    TimelineQuery(
        name="casework_support.services",
        rows=_service_rows,
        at="at",
        fields={
            "status": "to_status",
            "outcome": "outcome",
            "service_type": "link__service_type",
            "category": "link__category",
            "provider": "link__service_provider__name",
            "person": "link__person__public_id",
            "organization_id": "link__recorded_by_organization_id",
            "organization_part2": "link__recorded_by_organization__is_part2_program",
        },
        convert=_service_entries,
    )
)


# Expenses --------------------------------------------------------------------------------


def _expense_rows(viewer: Viewer, person: Any) -> QuerySet[Expense] | None:
    if not _may_see(viewer, person, Category.FINANCIAL):
        return None
    return Expense.objects.filter(person_id=person.pk).annotate(
        tl_day=Cast("spent_on", DateTimeField())
    )


def _expense_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    # The amount travels as text: in JSON a number would come back as a float.
    amount = Decimal(str(row["amount"])).quantize(Decimal("0.01"))
    category = _EXPENSE_CATEGORIES.get(row["category"], "Expense")
    return [
        TimelineEntry(
            at=_noon(row["day"]),
            kind="expense",
            category=Category.FINANCIAL,
            title=f"Expense: {category} ${amount:,}",
            detail=f"{row['vendor']} · {_EXPENSE_STATUSES.get(row['status'], '').lower()}",
            url=_url("casework_support:expenses", row["person"]),
            **_recorder(row),
        )
    ]


EXPENSES = register_timeline_query(
    TimelineQuery(
        name="casework_support.expenses",
        rows=_expense_rows,
        at="tl_day",
        fields={
            "day": "spent_on",
            "category": "category",
            "amount": Cast("amount", CharField()),
            "status": "status",
            "vendor": "vendor",
            "person": "person__public_id",
            "organization_id": "recorded_by_organization_id",
            "organization_part2": "recorded_by_organization__is_part2_program",
        },
        convert=_expense_entries,
    )
)


# Outcome snapshots -----------------------------------------------------------------------


def _snapshot_rows(viewer: Viewer, person: Any) -> QuerySet[OutcomeSnapshot] | None:
    if not _may_see(viewer, person, Category.CASEWORK):
        return None
    return OutcomeSnapshot.objects.filter(person_id=person.pk).annotate(
        tl_day=Cast("taken_on", DateTimeField())
    )


def _snapshot_entries(row: dict[str, Any]) -> list[TimelineEntry]:
    # Only the housing status is in the entry: the other measures belong to categories
    # (health, substance use, financial) that the outcomes page shows to whom decide() allows.
    return [
        TimelineEntry(
            at=_noon(row["day"]),
            kind=f"outcomes.{row['source']}",
            category=Category.CASEWORK,
            title="Outcomes at intake" if row["source"] == "intake" else "Outcomes changed",
            detail=f"Housing: {_HOUSING.get(row['housing_status'], '').lower()}",
            url=_url("casework_support:outcomes", row["person"]),
            **_recorder(row),
        )
    ]


OUTCOME_SNAPSHOTS = register_timeline_query(
    TimelineQuery(
        name="casework_support.outcomes",
        rows=_snapshot_rows,
        at="tl_day",
        fields={
            "day": "taken_on",
            "source": "source",
            "housing_status": "housing_status",
            "person": "person__public_id",
            "organization_id": "recorded_by_organization_id",
            "organization_part2": "recorded_by_organization__is_part2_program",
        },
        convert=_snapshot_entries,
    )
)

QUERIES = (PLAN_CHANGES, SERVICE_CHANGES, EXPENSES, OUTCOME_SNAPSHOTS)
