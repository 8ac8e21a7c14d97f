"""The chain is keyed: rewriting rows and recomputing the hashes without the key is caught."""

import hashlib

from tandem.audit.models import AuditChainHead, AuditEvent
from tandem.audit.services import audit_record, event_digest, event_payload
from tandem.audit.verification import audit_chain_verify


def unkeyed_digest(event: AuditEvent) -> str:
    """What a forger without the key can compute: a plain SHA-256 of the same payload."""
    return hashlib.sha256(event_payload(event)).hexdigest()


def rewrite_from(seq: int, digest) -> None:
    """What someone with write access to the database would do: change a row, then recompute
    every hash after it and move the head."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.action = "auth.logout"
        event.prev_hash = prev
        new_hash = digest(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            action=event.action, prev_hash=prev, hash=new_hash
        )
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def test_a_rewrite_without_the_key_is_detected(db):
    for _ in range(4):
        audit_record(actor=None, action="person.viewed")

    rewrite_from(2, unkeyed_digest)
    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_seq == 2


def test_only_the_key_makes_a_rewrite_verify(db):
    # The same rewrite with the key verifies: the key, not the database, is what protects
    # the chain, which is why it must be kept apart from the database.
    for _ in range(4):
        audit_record(actor=None, action="person.viewed")

    rewrite_from(2, event_digest)

    assert audit_chain_verify().ok


def test_the_key_can_be_set_apart_from_the_secret_key(db, settings):
    settings.AUDIT_CHAIN_KEY = "a key kept in the operator's vault"
    event = audit_record(actor=None, action="person.viewed")

    settings.AUDIT_CHAIN_KEY = "another key"

    assert event_digest(event) != event.hash
