"""Flexible funds (DOMAIN.md §5): funding sources with budgets and periods, and expenses
paid from them. Money is Decimal to the cent, never float.

The rules:
- A source's remaining budget is its budget less every pending and approved expense.
- An expense that would take the remaining budget below zero is refused, unless a
  supervisor lets it through with a reason. Reaching exactly zero is allowed.
- An expense above the source's approval threshold waits for a supervisor's approval
  (a supervisor's own is approved as they record it).
- The source's row is locked while an expense is checked and written, so two expenses
  recorded at the same moment cannot together overdraw it.
- Nothing is deleted: an expense recorded in error is voided, with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tandem.access.decisions import Capability, can
from tandem.access.roles import Purpose, Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.casework.support.models import Expense, ExpenseCategory, FundingSource
from tandem.casework.support.receipts import receipt_prepare
from tandem.casework.support.services.holding import held_enrollment
from tandem.notify.services import notify
from tandem.people.models import Person
from tandem.tenancy.models import Membership, Organization

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# What a DecimalField(max_digits=12, decimal_places=2) holds.
MONEY_LIMIT = Decimal("10000000000")


def money(value: Decimal | int | str) -> Decimal:
    """A positive or zero amount in dollars and cents; anything else is a ValidationError.
    A float is refused: it cannot hold most cent amounts exactly."""
    if isinstance(value, float):
        raise TypeError("Money is Decimal, never float.")
    try:
        amount = Decimal(value)
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise ValidationError("Give an amount in dollars and cents.")
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("Give an amount in dollars and cents.") from exc
    if amount >= MONEY_LIMIT:
        raise ValidationError("That amount is too large.")
    if amount < 0:
        raise ValidationError("An amount cannot be below zero.")
    return amount.quantize(CENT)


@dataclass(frozen=True, slots=True)
class Budget:
    budget: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed


def committed_on(source: FundingSource) -> Decimal:
    """What the pending and approved expenses of `source` add up to."""
    total = Expense.objects.filter(funding_source=source, status__in=Expense.COMMITTED).aggregate(
        total=Sum("amount")
    )["total"]
    return money(total or ZERO)


def budget_of(source: FundingSource) -> Budget:
    return Budget(budget=source.budget, committed=committed_on(source))


@transaction.atomic
def funding_source_add(
    *,
    actor: User | None,
    viewer: Viewer | None,
    organization: Organization,
    name: str,
    funder: str,
    budget: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    approval_threshold: Decimal,
) -> FundingSource:
    """A provider's new funding source; a supervisor of that provider adds it."""
    if viewer is not None and (
        not can(viewer, Capability.MANAGE_FUNDS) or viewer.organization_id != organization.pk
    ):
        raise ValidationError("Only a supervisor of the provider keeps its funding sources.")
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "Name the source (the grant or budget line)."
    elif FundingSource.objects.filter(organization=organization, name__iexact=name).exists():
        errors["name"] = f"“{name}” is a source already."
    try:
        budget = money(budget)
    except ValidationError as error:
        errors["budget"] = error.messages[0]
    try:
        approval_threshold = money(approval_threshold)
    except ValidationError as error:
        errors["approval_threshold"] = error.messages[0]
    if ends_on < starts_on:
        errors["ends_on"] = "The period must end after it starts."
    if organization.kind != Organization.Kind.CASE_MANAGEMENT:
        errors["organization"] = "Flexible funds belong to a case-management provider."
    if errors:
        raise ValidationError(errors)
    source = FundingSource(
        site_id=organization.site_id,
        organization=organization,
        name=name,
        funder=funder.strip(),
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        approval_threshold=approval_threshold,
        created_by=actor,
    )
    source.full_clean()
    source.save()
    audit_record(
        actor=actor,
        site=organization.site_id,
        action="funding_source.added",
        target=source,
        category="financial",
        detail={"budget": str(budget), "approval_threshold": str(approval_threshold)},
    )
    return source


def _supervisors(organization_id: int) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=organization_id, role=Role.CM_SUPERVISOR, is_active=True
        ).select_related("user")
    ]


@transaction.atomic
def expense_record(
    *,
    actor: User | None,
    viewer: Viewer | None,
    person: Person,
    funding_source: FundingSource,
    category: str,
    amount: Decimal,
    vendor: str,
    spent_on: dt.date,
    description: str = "",
    receipt: File[bytes] | None = None,
    overdraw_reason: str = "",
) -> Expense:
    """Record an expense for a participant the viewer's team holds. Refused if it would
    overdraw the source, unless a supervisor gives `overdraw_reason`. Above the source's
    threshold it waits for a supervisor (a supervisor's own is approved at once)."""
    enrollment = held_enrollment(viewer=viewer, person=person)
    supervisor = viewer is None or can(viewer, Capability.MANAGE_FUNDS)
    errors: dict[str, str] = {}
    try:
        amount = money(amount)
    except ValidationError as error:
        errors["amount"] = error.messages[0]
    else:
        if amount <= ZERO:
            errors["amount"] = "Give an amount above zero."
    if category not in ExpenseCategory.values:
        errors["category"] = "Choose what the money was for."
    vendor = vendor.strip()
    if not vendor:
        errors["vendor"] = "Say who was paid."
    if spent_on > enrollment.site.today():
        errors["spent_on"] = "That date is in the future."
    if funding_source.organization_id != enrollment.provider_id:
        errors["funding_source"] = "Choose one of your provider's funding sources."
    elif not funding_source.is_active:
        errors["funding_source"] = "This funding source is closed."
    elif not funding_source.starts_on <= spent_on <= funding_source.ends_on:
        errors["spent_on"] = (
            f"{funding_source.name} pays for {funding_source.starts_on:%Y-%m-%d} to "
            f"{funding_source.ends_on:%Y-%m-%d} only."
        )
    overdraw_reason = overdraw_reason.strip()
    if overdraw_reason and not supervisor:
        errors["overdraw_reason"] = "Only a supervisor can let an expense overdraw its source."
    stored = None
    if receipt is not None:
        try:
            stored = receipt_prepare(receipt)
        except ValidationError as error:
            errors.update({key: msgs[0] for key, msgs in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    # The lock: a second expense on this source waits here until this one commits, and
    # then sees it in the committed total.
    source = FundingSource.objects.select_for_update().get(pk=funding_source.pk)
    remaining = source.budget - committed_on(source)
    overdraws = amount > remaining
    if overdraws and not overdraw_reason:
        raise ValidationError(
            {
                "amount": f"This would overdraw {source.name}: ${remaining:,} is left, "
                f"${amount - remaining:,} short. A supervisor can let it through with a reason."
            }
        )
    needs_approval = amount > source.approval_threshold
    now = timezone.now()
    expense = Expense(
        site_id=enrollment.site_id,
        person_id=enrollment.person_id,
        enrollment=enrollment,
        funding_source=source,
        category=category,
        amount=amount,
        vendor=vendor,
        spent_on=spent_on,
        description=description.strip(),
        recorded_by=actor,
        recorded_by_organization_id=enrollment.provider_id,
        status=Expense.Status.APPROVED,
    )
    if overdraws:
        expense.overdraw_reason = overdraw_reason
        expense.overdraw_by = actor
    if needs_approval and supervisor:
        expense.decided_by = actor
        expense.decided_at = now
        expense.decision_reason = "Recorded by a supervisor."
    elif needs_approval:
        expense.status = Expense.Status.PENDING
    if stored is not None:
        content, content_type = stored
        expense.receipt.save(content.name or "receipt", content, save=False)
        expense.receipt_content_type = content_type
    expense.full_clean()
    expense.save()
    audit_record(
        actor=actor,
        site=expense.site_id,
        action="expense.recorded",
        target=expense,
        category="financial",
        purpose=Purpose.CARE_COORDINATION,
        detail={
            "amount": str(amount),
            "source": str(source.public_id),
            "status": expense.status,
            "overdraw": overdraws,
        },
    )
    if expense.status == Expense.Status.PENDING:
        notify(
            site=source.site,
            recipients=_supervisors(source.organization_id),
            kind="expense-approval",
            subject="An expense is waiting for your approval",
            body=f"{expense.get_category_display()} · ${amount:,} · {source.name}",
            url=reverse("casework_support:approvals"),
            actor=actor,
            # A line of the participant's expenses, decided as the approval queue does.
            person=expense.person,
            category="financial",
        )
    return expense


def _expense_for_supervisor(viewer: Viewer | None, expense: Expense) -> Expense:
    locked = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("funding_source", "site")
        .get(pk=expense.pk)
    )
    if viewer is not None and (
        not can(viewer, Capability.MANAGE_FUNDS)
        or locked.funding_source.organization_id != viewer.organization_id
    ):
        raise ValidationError("Only a supervisor of the provider decides on its expenses.")
    return locked


@transaction.atomic
def expense_decide(
    *,
    actor: User | None,
    viewer: Viewer | None,
    expense: Expense,
    approve: bool,
    reason: str = "",
) -> Expense:
    """A supervisor approves or refuses an expense waiting above the threshold. A refusal
    says why; a refused expense stops counting against the budget."""
    expense = _expense_for_supervisor(viewer, expense)
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(f"This expense is {expense.get_status_display().lower()} already.")
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": "Say why the expense is refused."})
    expense.status = Expense.Status.APPROVED if approve else Expense.Status.REFUSED
    expense.decided_by = actor
    expense.decided_at = timezone.now()
    expense.decision_reason = reason
    expense.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_record(
        actor=actor,
        site=expense.site_id,
        action="expense.approved" if approve else "expense.refused",
        target=expense,
        category="financial",
        purpose=Purpose.CARE_COORDINATION,
    )
    if expense.recorded_by is not None and expense.recorded_by != actor:
        notify(
            site=expense.site,
            recipients=[expense.recorded_by],
            kind="expense-decided",
            subject="A supervisor decided on an expense you recorded",
            body=f"{expense.get_status_display()} · ${expense.amount:,}"
            + (f" · {reason}" if reason else ""),
            url=reverse("casework_support:expenses", args=[expense.person.public_id]),
            actor=actor,
            person=expense.person,
            category="financial",
        )
    return expense


@transaction.atomic
def expense_void(
    *, actor: User | None, viewer: Viewer | None, expense: Expense, reason: str
) -> Expense:
    """Void an expense recorded in error; it stays, marked, and stops counting."""
    expense = _expense_for_supervisor(viewer, expense)
    if expense.status not in Expense.COMMITTED:
        raise ValidationError(f"This expense is {expense.get_status_display().lower()} already.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the expense is voided."})
    expense.status = Expense.Status.VOIDED
    expense.voided_by = actor
    expense.voided_at = timezone.now()
    expense.void_reason = reason
    expense.save(update_fields=["status", "voided_by", "voided_at", "void_reason", "updated_at"])
    audit_record(
        actor=actor,
        site=expense.site_id,
        action="expense.voided",
        target=expense,
        category="financial",
        purpose=Purpose.CARE_COORDINATION,
    )
    return expense
