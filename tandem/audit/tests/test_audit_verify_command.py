"""`tandem audit_verify`: the operator's check that nobody changed or removed a row."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections

from tandem.audit.models import AuditEvent
from tandem.audit.services import audit_record


@pytest.fixture
def chain(db):
    for n in range(5):
        audit_record(actor=None, action="system.tick", detail={"n": n})


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def run_like_manage_py(monkeypatch, capsys) -> tuple[int, str]:
    """Run the command as `manage.py audit_verify` does; returns (exit status, stderr)."""
    # manage.py closes every connection when the command ends; the test's transaction
    # must survive that.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    capsys.readouterr()
    try:
        load_command_class("tandem.audit", "audit_verify").run_from_argv(
            ["manage.py", "audit_verify"]
        )
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


def test_it_reports_an_intact_chain(chain):
    assert "Audit chain intact: 5 rows verified." in verify()


def test_it_names_the_edited_row(chain):
    AuditEvent.objects.filter(seq=3).update(action="system.tock")

    with pytest.raises(CommandError, match=r"row #3 was edited") as error:
        verify()

    assert "after 2 good rows" in str(error.value)
    assert error.value.returncode == 1


def test_it_names_the_deleted_row(chain):
    AuditEvent.objects.filter(seq=2).delete()

    with pytest.raises(CommandError, match=r"row #2 is missing \(next row is #3\)") as error:
        verify()

    assert error.value.returncode == 1


def test_it_reports_a_deleted_tail(chain):
    AuditEvent.objects.filter(seq=5).delete()

    with pytest.raises(CommandError, match=r"rows at the end were deleted") as error:
        verify()

    assert "the chain ends at row #4 but the head records row #5" in str(error.value)


def test_manage_py_exits_with_status_1_on_a_broken_chain(chain, monkeypatch, capsys):
    AuditEvent.objects.filter(seq=4).update(detail={"n": 40})

    status, stderr = run_like_manage_py(monkeypatch, capsys)

    assert status == 1
    assert "CommandError: Audit chain BROKEN after 3 good rows: row #4 was edited" in stderr


def test_manage_py_exits_with_status_0_on_an_intact_chain(chain, monkeypatch, capsys):
    status, stderr = run_like_manage_py(monkeypatch, capsys)

    assert status == 0
    assert stderr == ""
