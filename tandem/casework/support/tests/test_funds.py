"""Budget arithmetic and overdraw refusal: exact Decimal arithmetic, reaching exactly zero,
one cent over refused, a supervisor's override with a reason, approvals above the source's
threshold, and voided or refused expenses no longer counting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.audit.models import AuditEvent
from tandem.casework.support import services
from tandem.casework.support.models import Expense
from tandem.casework.support.tests.factories import (
    enrolled_person,
    funding_source,
    viewer_of,
)
from tandem.notify.models import Notification


def spend(scene, person, source, amount: str, *, by: str = "case_manager", **kwargs):
    user = scene[by]
    return services.expense_record(
        actor=user,
        viewer=viewer_of(user),
        person=person,
        funding_source=source,
        category=kwargs.pop("category", "motel"),
        amount=Decimal(amount),
        vendor=kwargs.pop("vendor", "Harbor Motel"),
        spent_on=kwargs.pop("spent_on", timezone.localdate()),
        **kwargs,
    )


def remaining(source) -> Decimal:
    return services.budget_of(source).remaining


def test_the_remaining_budget_is_exact_to_the_cent(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="0.30", threshold="100.00")

    spend(scene, person, source, "0.10")
    spend(scene, person, source, "0.20")

    # 0.1 + 0.2 is not 0.3 in binary floating point; in Decimal it is.
    assert remaining(source) == Decimal("0.00")
    assert isinstance(remaining(source), Decimal)


def test_an_expense_that_reaches_exactly_zero_is_allowed(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="500.00", threshold="500.00")
    spend(scene, person, source, "123.45")

    expense = spend(scene, person, source, "376.55")

    assert expense.status == Expense.Status.APPROVED
    assert remaining(source) == Decimal("0.00")


def test_one_cent_over_is_refused_and_nothing_is_written(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="500.00", threshold="500.00")
    spend(scene, person, source, "123.45")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        spend(scene, person, source, "376.56")

    assert "overdraw" in refused.value.message_dict["amount"][0]
    assert "$376.55 is left" in refused.value.message_dict["amount"][0]
    assert "$0.01 short" in refused.value.message_dict["amount"][0]
    assert Expense.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert remaining(source) == Decimal("376.55")


def test_a_supervisor_lets_an_expense_overdraw_with_a_reason(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="100.00", threshold="500.00")
    spend(scene, person, source, "90.00")

    expense = spend(
        scene, person, source, "40.00", by="supervisor", overdraw_reason="Eviction tomorrow"
    )

    assert expense.status == Expense.Status.APPROVED
    assert expense.overdraw_reason == "Eviction tomorrow"
    assert expense.overdraw_by == scene["supervisor"]
    assert remaining(source) == Decimal("-30.00")
    event = AuditEvent.objects.get(action="expense.recorded", target_id=str(expense.public_id))
    assert event.detail["overdraw"] is True


def test_a_supervisor_without_a_reason_is_refused_too(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="100.00")

    with pytest.raises(ValidationError, match="A supervisor can let it through"):
        spend(scene, person, source, "100.01", by="supervisor")

    assert not Expense.objects.exists()


@pytest.mark.parametrize("by", ["case_manager", "outreach"])
def test_only_a_supervisor_may_override(scene, by):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="100.00")

    with pytest.raises(ValidationError) as refused:
        spend(scene, person, source, "150.00", by=by, overdraw_reason="Please")

    assert "Only a supervisor" in refused.value.message_dict["overdraw_reason"][0]
    assert not Expense.objects.exists()


def test_above_the_threshold_an_expense_waits_for_a_supervisor(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="250.00")

    at_threshold = spend(scene, person, source, "250.00")
    above = spend(scene, person, source, "250.01")

    assert at_threshold.status == Expense.Status.APPROVED
    assert above.status == Expense.Status.PENDING
    # Waiting money is committed: it counts against the budget until refused.
    assert remaining(source) == Decimal("499.99")
    assert Notification.objects.filter(
        recipient=scene["supervisor"], kind="expense-approval"
    ).exists()

    services.expense_decide(
        actor=scene["supervisor"],
        viewer=viewer_of(scene["supervisor"]),
        expense=above,
        approve=True,
    )

    above.refresh_from_db()
    assert above.status == Expense.Status.APPROVED
    assert above.decided_by == scene["supervisor"]


def test_a_supervisors_own_expense_above_the_threshold_is_approved_as_recorded(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="250.00")

    expense = spend(scene, person, source, "300.00", by="supervisor")

    assert expense.status == Expense.Status.APPROVED
    assert expense.decided_by == scene["supervisor"]


def test_a_refused_or_voided_expense_stops_counting(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="250.00")
    waiting = spend(scene, person, source, "400.00")
    approved = spend(scene, person, source, "100.00")
    supervisor = viewer_of(scene["supervisor"])

    with pytest.raises(ValidationError, match="Say why"):
        services.expense_decide(
            actor=scene["supervisor"], viewer=supervisor, expense=waiting, approve=False
        )
    services.expense_decide(
        actor=scene["supervisor"],
        viewer=supervisor,
        expense=waiting,
        approve=False,
        reason="Use the housing grant",
    )
    services.expense_void(
        actor=scene["supervisor"], viewer=supervisor, expense=approved, reason="Entered twice"
    )

    assert remaining(source) == Decimal("1000.00")
    assert Expense.objects.count() == 2  # kept, as history
    assert set(Expense.objects.values_list("status", flat=True)) == {"refused", "voided"}


def test_a_case_manager_cannot_decide_or_void(scene):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="10.00")
    waiting = spend(scene, person, source, "40.00")

    with pytest.raises(ValidationError, match="Only a supervisor"):
        services.expense_decide(
            actor=scene["case_manager"],
            viewer=viewer_of(scene["case_manager"]),
            expense=waiting,
            approve=True,
        )
    with pytest.raises(ValidationError, match="Only a supervisor"):
        services.expense_void(
            actor=scene["case_manager"],
            viewer=viewer_of(scene["case_manager"]),
            expense=waiting,
            reason="Oops",
        )
    waiting.refresh_from_db()
    assert waiting.status == Expense.Status.PENDING


def test_another_providers_supervisor_cannot_decide(scene):
    from tandem.access.roles import Role
    from tandem.casework.support.tests.factories import team

    person = enrolled_person(scene)
    source = funding_source(scene, budget="1000.00", threshold="10.00")
    waiting = spend(scene, person, source, "40.00")
    elsewhere = team(scene["site"], scene["other_provider"], Role.CM_SUPERVISOR)

    with pytest.raises(ValidationError, match="Only a supervisor of the provider"):
        services.expense_decide(
            actor=elsewhere, viewer=viewer_of(elsewhere), expense=waiting, approve=True
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"spent_on": "future"}, "spent_on", "future"),
        ({"spent_on": "before"}, "spent_on", "pays for"),
        ({"vendor": "  "}, "vendor", "who was paid"),
        ({"category": "casino"}, "category", "what the money was for"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(scene, changes, field, message):
    person = enrolled_person(scene)
    source = funding_source(scene)
    today = timezone.localdate()
    if changes.get("spent_on") == "future":
        changes["spent_on"] = today + dt.timedelta(days=1)
    elif changes.get("spent_on") == "before":
        changes["spent_on"] = source.starts_on - dt.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        spend(scene, person, source, "10.00", **changes)

    assert message in refused.value.message_dict[field][0]
    assert not Expense.objects.exists()


def test_a_source_of_another_provider_cannot_be_spent(scene):
    person = enrolled_person(scene)
    theirs = funding_source(scene, organization=scene["other_provider"], name="Theirs")

    with pytest.raises(ValidationError) as refused:
        spend(scene, person, theirs, "10.00")

    assert "your provider's" in refused.value.message_dict["funding_source"][0]


def test_only_the_holding_team_spends_for_a_participant(scene):
    held_elsewhere = enrolled_person(scene, provider=scene["other_provider"])
    source = funding_source(scene)

    with pytest.raises(ValidationError, match="team holding the participant"):
        spend(scene, held_elsewhere, source, "10.00")


@pytest.mark.parametrize("value", ["0.001", "12.345", "NaN", "Infinity", "-1.00", "1e12"])
def test_money_is_dollars_and_cents_only(value):
    with pytest.raises(ValidationError):
        services.money(Decimal(value))


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        services.money(0.1)  # type: ignore[arg-type]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    budget_cents=st.integers(min_value=0, max_value=100_000),
    amounts=st.lists(st.integers(min_value=1, max_value=40_000), min_size=1, max_size=6),
)
def test_the_budget_is_never_overdrawn_without_an_override(scene, budget_cents, amounts):
    person = enrolled_person(scene)
    budget = Decimal(budget_cents) / 100
    source = funding_source(
        scene, budget=str(budget), threshold="1000000.00", name=f"Grant {source_count()}"
    )
    accepted = Decimal("0.00")
    for cents in amounts:
        amount = Decimal(cents) / 100
        fits = accepted + amount <= budget
        try:
            spend(scene, person, source, str(amount))
        except ValidationError:
            assert not fits
        else:
            assert fits
            accepted += amount
    assert remaining(source) == budget - accepted
    assert remaining(source) >= 0


def source_count() -> int:
    from tandem.casework.support.models import FundingSource

    return FundingSource.objects.count()


def test_adding_a_source_checks_the_money_and_the_period(scene):
    supervisor = scene["supervisor"]
    today = timezone.localdate()

    with pytest.raises(ValidationError) as refused:
        services.funding_source_add(
            actor=supervisor,
            viewer=viewer_of(supervisor),
            organization=scene["provider"],
            name="Opioid settlement",
            funder="County",
            budget=Decimal("1000.005"),
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
            approval_threshold=Decimal("-5"),
        )

    assert set(refused.value.message_dict) == {"budget", "ends_on", "approval_threshold"}
    source = services.funding_source_add(
        actor=supervisor,
        viewer=viewer_of(supervisor),
        organization=scene["provider"],
        name="Opioid settlement",
        funder="County",
        budget=Decimal("1000"),
        starts_on=today,
        ends_on=today + dt.timedelta(days=364),
        approval_threshold=Decimal("150"),
    )
    assert source.budget == Decimal("1000.00")
    assert AuditEvent.objects.filter(action="funding_source.added").count() == 1


def test_only_a_supervisor_of_the_provider_adds_a_source(scene):
    case_manager = scene["case_manager"]
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Only a supervisor"):
        services.funding_source_add(
            actor=case_manager,
            viewer=viewer_of(case_manager),
            organization=scene["provider"],
            name="Mine",
            funder="",
            budget=Decimal("10"),
            starts_on=today,
            ends_on=today,
            approval_threshold=Decimal("1"),
        )
