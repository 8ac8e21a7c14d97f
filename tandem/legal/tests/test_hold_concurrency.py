"""Two prosecutors deciding the same hold at the same moment get exactly one decision: the
service locks the row and checks it again. Run on PostgreSQL, where two connections really
compete for the row."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.legal import services
from tandem.legal.models import DivertedChargeHold, HoldEvent
from tandem.legal.tests.factories import HoldFactory
from tests.factories import member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op) and "
        "serialises every writer, so two threads cannot race for one row there.",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(monkeypatch, calls):
    """Run each call in its own thread and connection, started together. Writing the audit
    event is slowed down, so the first decision is still uncommitted while the second
    arrives: without the lock, both would read the hold as open."""
    real_audit = services.audit_record  # type: ignore[attr-defined]

    def slow_audit(**kwargs):
        time.sleep(0.3)
        return real_audit(**kwargs)

    monkeypatch.setattr(services, "audit_record", slow_audit)
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            outcomes[index] = call()
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def hold(rosa, city_attorney):
    return HoldFactory(person=rosa, prosecutor_organization=city_attorney)


@pytest.fixture
def pam(city_attorney):
    return member(Role.PROSECUTOR, organization=city_attorney, username="pam")


def test_two_prosecutors_deciding_at_once_make_exactly_one_decision(monkeypatch, hold, paula, pam):
    # Each prosecutor's page loaded the hold while it was open.
    copies = [DivertedChargeHold.objects.get(pk=hold.pk) for _ in range(2)]

    outcomes = race(
        monkeypatch,
        [
            lambda: services.hold_dispose(
                actor=paula, hold=copies[0], disposition="declined", reason="Intake done."
            ),
            lambda: services.hold_dispose(
                actor=pam, hold=copies[1], disposition="filed", reason="No intake."
            ),
        ],
    )

    decided = [o for o in outcomes if isinstance(o, DivertedChargeHold)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(decided) == 1
    assert len(refused) == 1
    assert "that decision is final" in refused[0].messages[0]
    hold.refresh_from_db()
    assert hold.disposition == decided[0].disposition
    decisions = HoldEvent.objects.filter(hold=hold, kind__in=["declined", "filed"])
    assert decisions.count() == 1
    assert AuditEvent.objects.filter(action__in=["hold.declined", "hold.filed"]).count() == 1


def test_two_extensions_to_the_same_date_extend_once(monkeypatch, hold, paula, pam):
    copies = [DivertedChargeHold.objects.get(pk=hold.pk) for _ in range(2)]
    new_deadline = dt.date(2026, 6, 17)

    outcomes = race(
        monkeypatch,
        [
            lambda copy=copy, actor=actor: services.hold_dispose(
                actor=actor,
                hold=copy,
                disposition="extended",
                reason="Intake booked.",
                extended_to=new_deadline,
            )
            for copy, actor in zip(copies, (paula, pam), strict=True)
        ],
    )

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1
    assert refused[0].messages == [
        "The new deadline must come after the current one (June 17, 2026)."
    ]
    hold.refresh_from_db()
    assert hold.deadline == new_deadline
    assert HoldEvent.objects.filter(hold=hold, kind="extended").count() == 1
