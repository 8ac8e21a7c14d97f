"""Reads of flexible funds: a provider's funding sources with what remains of each (not
participant data), a participant's expenses (financial: the holding team only), the
supervisor's approval queue, and a receipt file."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, cast

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.access.decisions import Capability, Subject, can, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category
from tandem.access.viewer import Viewer
from tandem.audit.disclosures import Part2Notice
from tandem.audit.services import audit_read
from tandem.casework.support.models import Expense, FundingSource
from tandem.casework.support.selectors.participant import (
    PURPOSE,
    PersonHeader,
    disclose_read,
    participant_for,
    people_for_casework,
    visible,
)

EXPENSE_LIMIT = 200
QUEUE_LIMIT = 200


def sources_with_budget(organization_id: int) -> QuerySet[FundingSource]:
    """The organisation's funding sources, each annotated with `committed` (pending and
    approved expenses), in one query."""
    return FundingSource.objects.filter(organization_id=organization_id).annotate(
        committed=Coalesce(
            Sum("expenses__amount", filter=Q(expenses__status__in=Expense.COMMITTED)),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
    )


@dataclass(frozen=True, slots=True)
class SourceShown:
    public_id: uuid.UUID
    name: str
    funder: str
    budget: Decimal
    committed: Decimal
    starts_on: dt.date
    ends_on: dt.date
    approval_threshold: Decimal
    is_active: bool
    in_period: bool

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    @property
    def label(self) -> str:
        return f"{self.name} · ${self.remaining:,} left"


def _shown(source: FundingSource, today: dt.date) -> SourceShown:
    return SourceShown(
        public_id=source.public_id,
        name=source.name,
        funder=source.funder,
        budget=source.budget,
        committed=Decimal(source.committed).quantize(Decimal("0.01")),  # type: ignore[attr-defined]
        starts_on=source.starts_on,
        ends_on=source.ends_on,
        approval_threshold=source.approval_threshold,
        is_active=source.is_active,
        in_period=source.starts_on <= today <= source.ends_on,
    )


def funding_sources(*, viewer: Viewer) -> list[SourceShown]:
    """The viewer's provider's sources, open ones first, with budget and what remains."""
    if not can(viewer, Capability.WRITE_CASEWORK):
        raise OutOfScope("No such page.")
    today = timezone.localdate()
    rows = sources_with_budget(viewer.organization_id).order_by("-is_active", "-ends_on", "name")
    return [_shown(source, today) for source in rows[:200]]


@dataclass(frozen=True, slots=True)
class ExpenseShown:
    public_id: uuid.UUID
    spent_on: dt.date
    category_label: str
    amount: Decimal
    vendor: str
    description: str
    source: str
    status: str
    status_label: str
    has_receipt: bool
    recorded_by: str
    overdraw_reason: str
    decision_reason: str
    void_reason: str


def _expense_shown(expense: Expense) -> ExpenseShown:
    return ExpenseShown(
        public_id=expense.public_id,
        spent_on=expense.spent_on,
        category_label=expense.get_category_display(),
        amount=expense.amount,
        vendor=expense.vendor,
        description=expense.description,
        source=expense.funding_source.name,
        status=expense.status,
        status_label=expense.get_status_display(),
        has_receipt=bool(expense.receipt),
        recorded_by=str(expense.recorded_by or ""),
        overdraw_reason=expense.overdraw_reason,
        decision_reason=expense.decision_reason,
        void_reason=expense.void_reason,
    )


@dataclass(frozen=True, slots=True)
class ExpensesPage:
    person: PersonHeader
    expenses: list[ExpenseShown]
    total: Decimal
    # For the form: the provider's open sources, with what remains of each.
    sources: list[SourceShown]
    is_supervisor: bool
    part2_notice: Part2Notice | None = None


def expenses_page(*, viewer: Viewer, person_id: uuid.UUID) -> ExpensesPage:
    participant = participant_for(
        viewer=viewer, person_id=person_id, needs=Category.FINANCIAL, page="expenses"
    )
    rows = (
        Expense.objects.filter(person=participant.person)
        .select_related("funding_source", "recorded_by", "recorded_by_organization")
        .order_by("-spent_on", "-id")[:EXPENSE_LIMIT]
    )
    expenses = [
        _expense_shown(expense)
        for expense in rows
        if visible(
            viewer=viewer,
            participant=participant,
            category=Category.FINANCIAL,
            recorder_id=expense.recorded_by_organization_id,
            recorder_is_part2=expense.recorded_by_organization.is_part2_program,
        )
    ]
    today = timezone.localdate()
    sources = []
    if participant.may_write:
        sources = [
            _shown(source, today)
            for source in sources_with_budget(viewer.organization_id)
            .filter(is_active=True)
            .order_by("-ends_on", "name")
        ]
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown=[Category.FINANCIAL],
        action="expenses.viewed",
        category=Category.FINANCIAL,
        count=len(expenses),
    )
    total = sum(
        (e.amount for e in expenses if e.status in Expense.COMMITTED), start=Decimal("0.00")
    )
    return ExpensesPage(
        person=participant.header(),
        expenses=expenses,
        total=total,
        sources=sources,
        is_supervisor=can(viewer, Capability.MANAGE_FUNDS),
        part2_notice=notice,
    )


def source_for_expense(*, viewer: Viewer, public_id: uuid.UUID) -> FundingSource:
    source = FundingSource.objects.filter(
        organization_id=viewer.organization_id, public_id=public_id
    ).first()
    if source is None:
        raise OutOfScope("No such funding source.")
    return source


@dataclass(frozen=True, slots=True)
class PendingShown:
    expense: ExpenseShown
    person_id: uuid.UUID
    display_name: str
    remaining: Decimal


def approval_queue(*, viewer: Viewer) -> list[PendingShown]:
    """The expenses waiting for a supervisor of the viewer's provider, oldest first, for
    participants the provider still holds."""
    if not can(viewer, Capability.MANAGE_FUNDS):
        raise OutOfScope("No such page.")
    pending = list(
        Expense.objects.filter(
            funding_source__organization_id=viewer.organization_id,
            status=Expense.Status.PENDING,
        )
        .select_related("funding_source", "recorded_by")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    people = {
        person.pk: person
        for person in people_for_casework(viewer).filter(
            pk__in={expense.person_id for expense in pending}
        )
    }
    committed = {
        source.pk: source.budget - source.committed  # type: ignore[attr-defined]
        for source in sources_with_budget(viewer.organization_id)
    }
    rows = []
    for expense in pending:
        person = people.get(expense.person_id)
        if person is None or not decide(
            viewer=viewer,
            person=cast(Subject, person),
            category=Category.FINANCIAL,
            purpose=PURPOSE,
        ):
            continue
        rows.append(
            PendingShown(
                expense=_expense_shown(expense),
                person_id=person.public_id,
                display_name=person.display_name,
                remaining=committed.get(expense.funding_source_id, Decimal("0.00")),
            )
        )
    audit_read(
        viewer=viewer,
        action="expenses.approval_queue_viewed",
        category=Category.FINANCIAL,
        purpose=PURPOSE,
        detail={"count": len(rows)},
    )
    return rows


def expense_for_supervisor(*, viewer: Viewer, public_id: uuid.UUID) -> Expense:
    """An expense of one of the viewer's provider's sources, for a supervisor to decide."""
    if not can(viewer, Capability.MANAGE_FUNDS):
        raise OutOfScope("No such expense.")
    expense = (
        Expense.objects.filter(
            funding_source__organization_id=viewer.organization_id, public_id=public_id
        )
        .select_related("person")
        .first()
    )
    if expense is None:
        raise OutOfScope("No such expense.")
    participant_for(
        viewer=viewer, person_id=expense.person.public_id, needs=Category.FINANCIAL, page="expense"
    )
    return expense


@dataclass(frozen=True, slots=True)
class ReceiptFile:
    content: IO[bytes]
    content_type: str
    part2_notice: Part2Notice | None


def receipt_get(*, viewer: Viewer, public_id: uuid.UUID) -> ReceiptFile:
    """A receipt, for a viewer who may see the participant's expenses; every read audited."""
    expense = (
        Expense.objects.filter(site_id=viewer.site_id, public_id=public_id)
        .select_related("person", "recorded_by_organization")
        .first()
    )
    if expense is None or not expense.receipt:
        raise OutOfScope("No such receipt.")
    participant = participant_for(
        viewer=viewer, person_id=expense.person.public_id, needs=Category.FINANCIAL, page="receipt"
    )
    if not visible(
        viewer=viewer,
        participant=participant,
        category=Category.FINANCIAL,
        recorder_id=expense.recorded_by_organization_id,
        recorder_is_part2=expense.recorded_by_organization.is_part2_program,
    ):
        raise OutOfScope("No such receipt.")
    try:
        content = expense.receipt.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise OutOfScope("No such receipt.") from exc
    notice = disclose_read(
        viewer=viewer,
        participant=participant,
        shown=[Category.FINANCIAL],
        action="expense.receipt_viewed",
        category=Category.FINANCIAL,
        expense=str(expense.public_id),
    )
    return ReceiptFile(
        content=cast(IO[bytes], content),
        content_type=expense.receipt_content_type or "application/octet-stream",
        part2_notice=notice,
    )
