"""Merge and exact unmerge. The property test is the acceptance test of the issue: whatever
two people hold, merging then unmerging leaves every field of both and every linked row as
it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.casework.models import Enrollment
from tandem.matching.models import MatchKey, MatchProfile
from tandem.people.merging import person_links, person_merge, person_unmerge
from tandem.people.models import (
    RACE_CHOICES,
    DuplicateCandidate,
    Identifier,
    Person,
    PersonMerge,
    PersonName,
    PersonVersion,
)
from tandem.people.selectors import people_in_scope
from tandem.people.services import person_update
from tests.factories import (
    EnrollmentFactory,
    IdentifierFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    SiteFactory,
    duplicate_candidate,
    member,
)

CORE_MODELS = (Person, PersonName, Identifier, Enrollment, DuplicateCandidate)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every field of every row of the people tables and of every table linked to a person
    (history, merges and the audit chain grow on purpose and are left out)."""
    models: set[type[Model]] = {*CORE_MODELS, *(model for model, _ in person_links())}
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in models
    }


# The property test ----------------------------------------------------------------------

letters = st.characters(categories=("Lu", "Ll"), max_codepoint=0x24F)
name_text = st.text(letters, min_size=1, max_size=12)
maybe_text = st.one_of(st.just(""), name_text)

person_specs = st.fixed_dictionaries(
    {
        "given_name": name_text,
        "middle_name": maybe_text,
        "family_name": maybe_text,
        "preferred_name": maybe_text,
        "dob": st.one_of(
            st.none(),
            st.tuples(
                st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
                st.sampled_from(["exact", "month", "year"]),
            ),
        ),
        "sex": st.sampled_from(Person.Sex.values),
        "description": st.one_of(st.just(""), st.text(letters | st.just(" "), max_size=30)),
        "race": st.lists(
            st.sampled_from([k for k in RACE_CHOICES if k != "declined"]), unique=True, max_size=2
        ),
        "ethnicity": st.sampled_from(Person.Ethnicity.values),
        "gender": st.sampled_from(Person.Gender.values),
        "photo": st.sampled_from(["", "private/people/0123456789abcdef.jpg"]),
        # (kind, given, family, removed before the merge)
        "names": st.lists(
            st.tuples(
                st.sampled_from(PersonName.Kind.values), name_text, maybe_text, st.booleans()
            ),
            max_size=3,
        ),
        # (kind, value, issuer: 0 none, 1 police, 2 provider, removed)
        "identifiers": st.lists(
            st.tuples(
                st.sampled_from(Identifier.Kind.values),
                st.text("ABCDEFGHJK0123456789-", min_size=1, max_size=10),
                st.integers(0, 2),
                st.booleans(),
            ),
            max_size=3,
        ),
        "exited_enrollments": st.integers(0, 2),
    }
)

scenes = st.fixed_dictionaries(
    {
        "survivor": person_specs,
        "merged": person_specs,
        # Which of the two holds an open enrollment (both cannot: that merge is refused).
        "open_enrollment": st.sampled_from([None, "survivor", "merged"]),
        "open_status": st.sampled_from([Enrollment.Status.ACTIVE, Enrollment.Status.INACTIVE]),
        # Candidate pairs: the pair itself, and each of the two with a third person.
        "pair_candidate": st.sampled_from([None, "open", "not_duplicate"]),
        "merged_third_candidate": st.sampled_from([None, "open", "not_duplicate"]),
        "survivor_third_candidate": st.booleans(),
        # The merged record already absorbed another record in an earlier merge.
        "earlier_merge": st.booleans(),
    }
)


def build_person(site, organisations, spec, suffix: str) -> Person:
    dob, precision = (None, "unknown") if spec["dob"] is None else spec["dob"]
    person = PersonFactory(
        site=site,
        given_name=spec["given_name"],
        middle_name=spec["middle_name"],
        family_name=spec["family_name"],
        preferred_name=spec["preferred_name"],
        date_of_birth=dob,
        dob_precision=precision,
        sex=spec["sex"],
        description=spec["description"],
        race=spec["race"],
        ethnicity=spec["ethnicity"],
        gender=spec["gender"],
        photo=spec["photo"],
    )
    removed = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    for kind, given_name, family_name, is_removed in spec["names"]:
        PersonNameFactory(
            person=person,
            kind=kind,
            given_name=given_name,
            family_name=family_name,
            removed_at=removed if is_removed else None,
        )
    issuers = [None, *organisations]
    for kind, value, issuer, is_removed in spec["identifiers"]:
        IdentifierFactory(
            person=person,
            kind=kind,
            value=f"{value}{suffix}",
            issuer=issuers[issuer],
            removed_at=removed if is_removed else None,
        )
    for index in range(spec["exited_enrollments"]):
        EnrollmentFactory(
            person=person,
            provider=organisations[1],
            status=Enrollment.Status.EXITED,
            enrolled_on=dt.date(2024, 1 + index, 10),
        )
    return person


class RollbackExampleError(Exception):
    """Ends one generated example, undoing its rows."""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scene=scenes)
def test_unmerge_restores_both_people_and_every_linked_row_exactly(db, scene):
    try:
        with transaction.atomic():
            check_round_trip(scene)
            raise RollbackExampleError
    except RollbackExampleError:
        pass


def check_round_trip(scene) -> None:
    site = SiteFactory()
    organisations = [
        OrganizationFactory(site=site, kind="police", name="Police"),
        OrganizationFactory(site=site, kind="case_management", name="Provider"),
    ]
    reviewer = member(Role.PROJECT_MANAGER, site=site)
    survivor = build_person(site, organisations, scene["survivor"], "-s")
    merged = build_person(site, organisations, scene["merged"], "-m")
    third = PersonFactory(site=site)
    holder = {"survivor": survivor, "merged": merged}.get(scene["open_enrollment"])
    if holder is not None:
        EnrollmentFactory(person=holder, provider=organisations[1], status=scene["open_status"])
    if scene["pair_candidate"]:
        duplicate_candidate(survivor, merged, status=scene["pair_candidate"])
    if scene["merged_third_candidate"]:
        duplicate_candidate(merged, third, 0.7, status=scene["merged_third_candidate"])
    if scene["survivor_third_candidate"]:
        duplicate_candidate(survivor, third, 0.6)
    if scene["earlier_merge"]:
        absorbed = PersonFactory(site=site, given_name="Earlier")
        PersonNameFactory(person=absorbed, given_name="Old alias")
        person_merge(actor=reviewer, survivor=merged, merged=absorbed, reason="Same person")
        merged.refresh_from_db()
        survivor.refresh_from_db()

    before = snapshot()
    merge = person_merge(actor=reviewer, survivor=survivor, merged=merged, reason="Same DOB")

    # The merge moved everything the merged record held.
    assert Person.objects.get(pk=merged.pk).merged_into_id == survivor.pk
    assert not PersonName.objects.filter(person=merged).exists()
    assert not Identifier.objects.filter(person=merged).exists()
    assert not Enrollment.objects.filter(person=merged).exists()
    assert not DuplicateCandidate.objects.filter(
        Q(person_a=merged) | Q(person_b=merged), status="open"
    ).exists()
    assert snapshot() != before

    person_unmerge(actor=reviewer, merge=merge, reason="Two different people")

    assert snapshot() == before
    merge.refresh_from_db()
    assert merge.undone_at is not None


# Examples -------------------------------------------------------------------------------


@pytest.fixture
def pair(site_a, bridgeway):
    survivor = PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")
    merged = PersonFactory(
        site=site_a,
        given_name="Rosie",
        family_name="Kintero",
        preferred_name="Ro",
        middle_name="Maria",
    )
    PersonNameFactory(person=merged, given_name="Smiley")
    IdentifierFactory(person=merged, value="PD-77")
    EnrollmentFactory(person=merged, provider=bridgeway)
    return survivor, merged


def test_merge_moves_names_identifiers_and_links_and_records_it(ruth, pair):
    survivor, merged = pair

    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same DOB and id")

    aliases = {(n.kind, n.given_name, n.family_name) for n in survivor.names.all()}
    assert ("alias", "Rosie", "Kintero") in aliases
    assert ("nickname", "Smiley", "") in aliases
    assert survivor.identifiers.get().value == "PD-77"
    assert survivor.enrollments.count() == 1
    survivor.refresh_from_db()
    # The survivor had no middle or preferred name: the merged record's fill the gaps.
    assert (survivor.middle_name, survivor.preferred_name) == ("Maria", "Ro")
    moved = {entry["model"] for entry in merge.moved}
    assert {"people.personname", "people.identifier", "casework.enrollment"} <= moved
    assert [v.kind for v in PersonVersion.objects.filter(person=survivor)] == ["merged"]
    assert [v.kind for v in PersonVersion.objects.filter(person=merged)] == ["merged"]
    event = AuditEvent.objects.get(action="person.merged")
    assert event.actor_id == ruth.pk
    assert event.detail["merged"] == str(merged.public_id)


def test_merge_hides_the_merged_record_and_the_matcher_forgets_it(ruth, pair):
    survivor, merged = pair

    person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    assert list(people_in_scope(survivor.site_id)) == [survivor]
    assert not MatchProfile.objects.filter(person=merged).exists()
    assert not MatchKey.objects.filter(person=merged).exists()


def test_merge_settles_open_candidates_and_unmerge_reopens_them(ruth, pair, site_a):
    survivor, merged = pair
    third = PersonFactory(site=site_a)
    the_pair = duplicate_candidate(survivor, merged)
    with_third = duplicate_candidate(merged, third, 0.7)
    decided = duplicate_candidate(survivor, third, 0.6, status="not_duplicate")

    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    statuses = dict(DuplicateCandidate.objects.values_list("pk", "status"))
    assert statuses[the_pair.pk] == "merged"
    assert statuses[with_third.pk] == "dismissed_by_merge"
    assert statuses[decided.pk] == "not_duplicate"

    person_unmerge(actor=ruth, merge=merge, reason="Not the same")

    statuses = dict(DuplicateCandidate.objects.values_list("pk", "status"))
    assert statuses == {the_pair.pk: "open", with_third.pk: "open", decided.pk: "not_duplicate"}
    assert DuplicateCandidate.objects.get(pk=the_pair.pk).decided_by is None


def test_unmerge_writes_versions_and_an_audit_event(ruth, pair):
    survivor, merged = pair
    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    person_unmerge(actor=ruth, merge=merge, reason="Different mothers' names")

    for person in pair:
        kinds = list(PersonVersion.objects.filter(person=person).values_list("kind", flat=True))
        assert kinds == ["merged", "unmerged"]
    event = AuditEvent.objects.get(action="person.unmerged")
    assert event.detail["reason"] == "Different mothers' names"
    assert MatchProfile.objects.filter(person=merged).exists()


def test_a_survivor_edit_after_the_merge_survives_the_unmerge(ruth, pair, alice):
    survivor, merged = pair
    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")
    person_update(actor=alice, person=survivor, family_name="Quintero-Diaz", middle_name="M.")

    person_unmerge(actor=ruth, merge=merge, reason="Not the same")

    survivor.refresh_from_db()
    # Edited since: kept. Filled by the merge and untouched since: back to empty.
    assert survivor.family_name == "Quintero-Diaz"
    assert survivor.middle_name == "M."
    assert survivor.preferred_name == ""


def test_a_merged_record_cannot_be_edited(ruth, pair, alice):
    survivor, merged = pair
    person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    with pytest.raises(ValidationError, match="merged into another"):
        person_update(actor=alice, person=merged, given_name="Changed")


def test_links_cover_every_table_pointing_at_a_person_except_the_marked_ones():
    links = {(model._meta.label_lower, field) for model, field in person_links()}

    assert {
        ("people.personname", "person"),
        ("people.identifier", "person"),
        ("casework.enrollment", "person"),
    } <= links
    labels = {label for label, _ in links}
    assert not labels & {
        "people.person",
        "people.personversion",
        "people.personmerge",
        "people.duplicatecandidate",
        "matching.matchprofile",
        "matching.matchkey",
        "matching.matchname",
    }


# Refusals: each changes nothing ----------------------------------------------------------


def refused(expected: str, call) -> None:
    before = snapshot()
    events = AuditEvent.objects.count()
    merges = PersonMerge.objects.count()
    with pytest.raises(ValidationError, match=expected):
        call()
    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert PersonMerge.objects.count() == merges


def test_merging_across_sites_is_refused(ruth, pair):
    survivor, _ = pair
    elsewhere = PersonFactory(site=SiteFactory())

    refused(
        "different sites",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=elsewhere, reason="x"),
    )


def test_merging_a_person_with_itself_is_refused(ruth, pair):
    survivor, _ = pair

    refused(
        "with itself",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=survivor, reason="x"),
    )


def test_merging_without_a_reason_is_refused(ruth, pair):
    survivor, merged = pair

    refused(
        "Say why",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=merged, reason="  "),
    )


@pytest.mark.parametrize("which", ["survivor", "merged"])
def test_merging_a_record_already_merged_away_is_refused(ruth, pair, site_a, which):
    survivor, merged = pair
    absorber = PersonFactory(site=site_a)
    gone = survivor if which == "survivor" else merged
    person_merge(actor=ruth, survivor=absorber, merged=gone, reason="Same person")

    refused(
        "already merged into another record",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=merged, reason="x"),
    )


def test_two_open_enrollments_at_different_providers_are_refused(ruth, pair, site_a):
    survivor, merged = pair
    northside = OrganizationFactory(site=site_a, kind="case_management", name="Northside")
    EnrollmentFactory(person=survivor, provider=northside)

    refused(
        "two case-management teams hold them",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=merged, reason="x"),
    )


def test_two_open_enrollments_at_one_provider_are_refused(ruth, pair, bridgeway):
    survivor, merged = pair
    EnrollmentFactory(person=survivor, provider=bridgeway, status=Enrollment.Status.INACTIVE)

    refused(
        "Both records have an open enrollment with Bridgeway",
        lambda: person_merge(actor=ruth, survivor=survivor, merged=merged, reason="x"),
    )


def test_an_exited_enrollment_does_not_stop_a_merge(ruth, pair, site_a):
    survivor, merged = pair
    northside = OrganizationFactory(site=site_a, kind="case_management", name="Northside")
    EnrollmentFactory(person=survivor, provider=northside, status=Enrollment.Status.EXITED)

    person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    assert survivor.enrollments.count() == 2


def test_unmerging_an_undone_merge_is_refused(ruth, pair):
    survivor, merged = pair
    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")
    person_unmerge(actor=ruth, merge=merge, reason="Not the same")

    refused("already undone", lambda: person_unmerge(actor=ruth, merge=merge, reason="again"))


def test_unmerging_when_the_survivor_was_merged_later_is_refused(ruth, pair, site_a):
    survivor, merged = pair
    first = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")
    later_survivor = PersonFactory(site=site_a)
    later = person_merge(actor=ruth, survivor=later_survivor, merged=survivor, reason="Again")

    refused(
        "Undo that later merge first",
        lambda: person_unmerge(actor=ruth, merge=first, reason="Not the same"),
    )

    person_unmerge(actor=ruth, merge=later, reason="Not the same")
    person_unmerge(actor=ruth, merge=first, reason="Not the same")
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_unmerging_without_a_reason_is_refused(ruth, pair):
    survivor, merged = pair
    merge = person_merge(actor=ruth, survivor=survivor, merged=merged, reason="Same person")

    refused("Say why", lambda: person_unmerge(actor=ruth, merge=merge, reason=""))
