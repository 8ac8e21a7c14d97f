"""The audit chain: append-only rows, each hash covering the row and the one before."""

from __future__ import annotations

import pytest

from tandem.access.viewer import Viewer
from tandem.audit.context import RequestOrigin, current_origin
from tandem.audit.models import AuditChainHead, AuditEvent
from tandem.audit.services import GENESIS_HASH, audit_read, audit_record, event_digest
from tandem.audit.verification import audit_chain_verify
from tandem.tenancy.models import Membership
from tests.factories import PersonFactory


@pytest.fixture
def three_events(alice, site_a):
    """Three events in order, as the services would write them."""
    person = PersonFactory(site=site_a)
    return [
        audit_record(actor=alice, action="person.created", site=site_a, target=person),
        audit_record(actor=alice, action="person.updated", site=site_a, target=person),
        audit_record(actor=None, action="system.tick"),
    ]


def test_it_numbers_rows_in_order_and_links_each_to_the_one_before(three_events):
    first, second, third = (AuditEvent.objects.get(pk=e.pk) for e in three_events)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert all(event_digest(e) == e.hash for e in (first, second, third))
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, third.hash)


def test_it_records_who_what_where_and_on_which_record(alice, site_a):
    person = PersonFactory(site=site_a)
    token = current_origin.set(RequestOrigin(ip="203.0.113.9", user_agent="Firefox"))
    try:
        audit_record(
            actor=alice, action="person.updated", site=site_a, target=person, detail={"n": 1}
        )
    finally:
        current_origin.reset(token)

    event = AuditEvent.objects.get()
    assert event.actor_id == alice.pk
    assert event.actor_label == "alice"
    assert event.site_id == site_a.pk
    assert event.target_type == "people.person"
    assert event.target_id == str(person.public_id)
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Firefox")
    assert event.detail == {"n": 1}


def test_a_read_is_recorded_with_the_viewer_and_purpose(alice, site_a):
    person = PersonFactory(site=site_a)
    viewer = Viewer.from_membership(Membership.objects.get(user=alice))

    audit_read(
        viewer=viewer,
        action="person.viewed",
        target=person,
        category="identity",
        purpose="care_coordination",
    )

    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_label, event.site_id) == (alice.pk, "alice", site_a.pk)
    assert (event.category, event.purpose) == ("identity", "care_coordination")
    assert event.target_id == str(person.public_id)


def test_a_written_row_cannot_be_saved_again(three_events):
    event = AuditEvent.objects.get(seq=2)
    event.action = "person.deleted"

    with pytest.raises(PermissionError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(seq=2).action == "person.updated"


def test_a_row_cannot_be_deleted(three_events):
    event = AuditEvent.objects.get(seq=2)

    with pytest.raises(PermissionError, match="cannot be deleted"):
        event.delete()

    assert AuditEvent.objects.count() == 3


def test_an_intact_chain_verifies(three_events):
    report = audit_chain_verify()

    assert report.ok
    assert report.checked == 3
    assert report.problem == ""


def test_an_empty_chain_verifies(db):
    report = audit_chain_verify()

    assert report.ok
    assert report.checked == 0


def test_an_edited_row_is_found(three_events):
    AuditEvent.objects.filter(seq=2).update(action="person.viewed")

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_seq == 2
    assert report.checked == 1
    assert "row #2 was edited" in report.problem


def test_a_rehashed_row_is_found_by_the_next_link(three_events):
    # An editor who also recomputes the edited row's hash still breaks the next link.
    event = AuditEvent.objects.get(seq=2)
    event.detail = {"forged": True}
    AuditEvent.objects.filter(seq=2).update(detail=event.detail, hash=event_digest(event))

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_seq == 3
    assert "row #3 does not follow row #2" in report.problem


def test_a_deleted_middle_row_is_found(three_events):
    AuditEvent.objects.filter(seq=2).delete()

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_seq == 2
    assert "row #2 is missing" in report.problem


def test_a_deleted_last_row_is_found(three_events):
    AuditEvent.objects.filter(seq=3).delete()

    report = audit_chain_verify()

    assert not report.ok
    assert report.checked == 2
    assert "rows at the end were deleted" in report.problem
    assert "head records row #3" in report.problem


def test_a_missing_head_is_found(three_events):
    AuditChainHead.objects.all().delete()

    report = audit_chain_verify()

    assert not report.ok
    assert "head is missing" in report.problem


def test_the_chain_keeps_growing_across_many_rows(db):
    for n in range(25):
        audit_record(actor=None, action="system.tick", detail={"n": n})

    report = audit_chain_verify(chunk_size=7)

    assert report.ok
    assert report.checked == 25
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 26)
    )
