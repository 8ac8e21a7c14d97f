"""Walking the audit chain to prove nobody changed or removed a row."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import groupby

from tandem.audit.disclosures import disclosure_digest
from tandem.audit.models import AuditChainHead, AuditEvent, Disclosure
from tandem.audit.services import GENESIS_HASH, HEAD_PK, event_digest


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    broken_seq: int | None = None
    # Rows of the Part 2 disclosure ledger checked against the events that list them.
    disclosures: int = 0


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute every hash in order. Reports the first row that was edited, the first gap
    (a deleted row), or a head that does not match the last row (a deleted tail); then, on
    an intact chain, checks the disclosure ledger against it (`disclosure_ledger_verify`)."""
    report = _chain_verify(chunk_size=chunk_size)
    if not report.ok:
        return report
    ledger = disclosure_ledger_verify(chunk_size=chunk_size)
    return replace(
        report,
        ok=ledger.ok,
        problem=ledger.problem,
        broken_seq=ledger.broken_seq,
        disclosures=ledger.disclosures,
    )


def _chain_verify(*, chunk_size: int) -> ChainReport:
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


def disclosure_ledger_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Every `Disclosure` row against the read event that lists it. The event (under the
    chain) holds each row's keyed digest, so a row that was edited, deleted, or added without
    an event listing it is found. Walks the rows and the listing events in sequence order
    together, holding one event's listing at a time."""
    events = (
        AuditEvent.objects.filter(detail__has_key="disclosures")
        .order_by("seq")
        .only("seq", "detail")
        .iterator(chunk_size=chunk_size)
    )
    rows = (
        Disclosure.objects.select_related("read_event")
        .order_by("read_event__seq", "public_id")
        .iterator(chunk_size=chunk_size)
    )
    checked = 0
    listing = next(events, None)

    def missing(event: AuditEvent) -> ChainReport:
        return ChainReport(
            False,
            checked,
            f"event #{event.seq} lists disclosures that are not in the ledger: a disclosure "
            "was deleted",
            event.seq,
            checked,
        )

    for seq, group in groupby(rows, key=lambda row: row.read_event.seq):
        while listing is not None and listing.seq < seq:
            if listing.detail["disclosures"]:
                return missing(listing)
            listing = next(events, None)
        expected: dict[str, str] = {}
        if listing is not None and listing.seq == seq:
            expected = dict(listing.detail["disclosures"])
        for row in group:
            digest = expected.pop(str(row.public_id), None)
            if digest is None:
                return ChainReport(
                    False,
                    checked,
                    f"disclosure {row.public_id} is not listed by event #{seq}: it was added "
                    "or moved outside the audit chain",
                    seq,
                    checked,
                )
            if disclosure_digest(row) != digest or row.digest != digest:
                return ChainReport(
                    False,
                    checked,
                    f"disclosure {row.public_id} (event #{seq}) was edited: its digest does "
                    "not match",
                    seq,
                    checked,
                )
            checked += 1
        if expected:
            assert listing is not None
            return missing(listing)
        if listing is not None and listing.seq == seq:
            listing = next(events, None)
    while listing is not None:
        if listing.detail["disclosures"]:
            return missing(listing)
        listing = next(events, None)
    return ChainReport(True, 0, disclosures=checked)
