"""Two expenses recorded at the same moment on one funding source cannot together overdraw
it: the service locks the source's row while it checks and writes. Run on PostgreSQL, where
two connections really compete for the row (SQLite serialises every writer itself)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tandem.casework.support import services
from tandem.casework.support.models import Expense
from tandem.casework.support.services import funds
from tandem.casework.support.tests.factories import enrolled_person, funding_source, viewer_of

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite has no row locks and serialises every writer.",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_expenses_at_once_do_not_overdraw_the_source(scene, monkeypatch):
    person = enrolled_person(scene)
    source = funding_source(scene, budget="100.00", threshold="1000.00")
    # Writing the audit event is slowed down, so the first expense is still uncommitted
    # when the second is checked: without the lock both would see $100 left.
    real_audit = funds.audit_record  # type: ignore[attr-defined]

    def slow_audit(**kwargs):
        time.sleep(0.3)
        return real_audit(**kwargs)

    monkeypatch.setattr(funds, "audit_record", slow_audit)
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def record(index: int, by: str) -> None:
        user = scene[by]
        try:
            start.wait()
            outcomes[index] = services.expense_record(
                actor=user,
                viewer=viewer_of(user),
                person=person,
                funding_source=source,
                category="motel",
                amount=Decimal("60.00"),
                vendor="Harbor Motel",
                spent_on=timezone.localdate(),
            )
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(0, "case_manager")),
        threading.Thread(target=record, args=(1, "outreach")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    recorded = [o for o in outcomes if isinstance(o, Expense)]
    assert len(recorded) == 1
    assert len(refused) == 1
    assert "$40.00 is left" in refused[0].message_dict["amount"][0]
    assert Expense.objects.count() == 1
    assert services.budget_of(source).remaining == Decimal("40.00")
