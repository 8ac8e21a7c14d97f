"""Walking the audit chain to prove nobody changed or removed a row."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.audit.models import AuditChainHead, AuditEvent
from tandem.audit.services import GENESIS_HASH, HEAD_PK, event_digest


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    broken_seq: int | None = None


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute every hash in order. Reports the first row that was edited, the first gap
    (a deleted row), or a head that does not match the last row (a deleted tail)."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                f"row #{expected_seq} is missing (next row is #{event.seq}): a row was deleted",
                expected_seq,
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                f"row #{event.seq} does not follow row #{event.seq - 1}: the chain was altered",
                event.seq,
            )
        if event_digest(event) != event.hash:
            return ChainReport(
                False, checked, f"row #{event.seq} was edited: its hash does not match", event.seq
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = expected_seq - 1
    if head is None:
        if checked:
            return ChainReport(False, checked, "the chain head is missing", None)
        return ChainReport(True, 0)
    if head.last_seq != last_seq or head.last_hash != prev_hash:
        return ChainReport(
            False,
            checked,
            f"the chain ends at row #{last_seq} but the head records row #{head.last_seq}: "
            "rows at the end were deleted",
            last_seq + 1,
        )
    return ChainReport(True, checked)
