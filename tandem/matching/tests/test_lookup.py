"""Finding people through the matcher's index: the search box, search before create, the
index kept in step with people, and who may look."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.audit.models import AuditEvent
from tandem.matching import services
from tandem.matching.core import MatchModel, MatchRecord, PartialDate
from tandem.matching.index import person_index_refresh
from tandem.matching.models import MatchKey, MatchName, MatchProfile, SiteMatchModel
from tandem.matching.selectors import person_candidates, person_search
from tandem.matching.services import (
    TooFewPeopleError,
    site_model,
    site_model_train,
    site_reindex,
)
from tandem.people.models import Identifier, Person
from tandem.tenancy.models import Membership
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    member,
)


def viewer_of(user) -> Viewer:
    membership = Membership.objects.select_related("organization", "user").get(user=user)
    return Viewer.from_membership(membership)


@pytest.fixture
def people(site_a):
    """A small site: a William with a nickname, a near-namesake, and unrelated people."""
    william = PersonFactory(
        site=site_a,
        given_name="William",
        family_name="Johnson",
        date_of_birth=dt.date(1980, 3, 4),
    )
    PersonNameFactory(person=william, kind="nickname", given_name="Tex", family_name="")
    wilma = PersonFactory(
        site=site_a, given_name="Wilma", family_name="Johnston", date_of_birth=dt.date(1975, 8, 1)
    )
    rosa = PersonFactory(
        site=site_a,
        given_name="Rosa",
        family_name="Garcia-Lopez",
        date_of_birth=dt.date(1969, 12, 25),
    )
    Identifier.objects.create(person=rosa, kind="booking", value="B-7731")
    person_index_refresh(rosa)
    PersonFactory(site=site_a, given_name="Luis", family_name="Tran")
    return {"william": william, "wilma": wilma, "rosa": rosa}


def names(results) -> list[str]:
    return [row.display_name for row in results]


def test_a_nickname_and_a_swapped_date_find_the_person_first(alice, people):
    results = person_search(viewer=viewer_of(alice), query="Bill Johnson 1980-04-03")

    assert names(results)[0] == "William Johnson"
    assert "nickname" in results[0].explanation
    assert "swapped" in results[0].explanation


def test_surname_first_with_a_comma_is_understood(alice, people):
    results = person_search(viewer=viewer_of(alice), query="Johnson, William")

    assert names(results)[0] == "William Johnson"


def test_an_alias_is_searchable(alice, people):
    results = person_search(viewer=viewer_of(alice), query="Tex")

    assert "William Johnson" in names(results)


def test_part_of_a_two_part_surname_finds_the_person(alice, people):
    results = person_search(viewer=viewer_of(alice), query="Rosa Lopez")

    assert names(results)[0] == "Rosa Garcia-Lopez"


def test_an_identifier_alone_finds_its_person_whatever_its_punctuation(alice, people):
    results = person_search(viewer=viewer_of(alice), query="b7731")

    assert names(results) == ["Rosa Garcia-Lopez"]


def test_a_half_typed_name_finds_people_by_its_start(alice, people):
    results = person_search(viewer=viewer_of(alice), query="John")

    assert {"William Johnson", "Wilma Johnston"} <= set(names(results))
    assert "Luis Tran" not in names(results)


def test_search_never_reaches_another_site(charlie, people):
    assert person_search(viewer=viewer_of(charlie), query="William Johnson") == []


def test_police_get_no_candidates_at_all(bob, people):
    record = MatchRecord(id="q", given_name="William", surname="Johnson")

    assert person_candidates(viewer=viewer_of(bob), record=record) == []
    assert person_search(viewer=viewer_of(bob), query="Johnson") == []


def test_every_lookup_is_audited(alice, people):
    viewer = viewer_of(alice)

    person_search(viewer=viewer, query="Johnson")
    person_candidates(viewer=viewer, record=MatchRecord(id="q", surname="Johnson"))

    assert AuditEvent.objects.filter(action="person.searched", actor_id=alice.pk).count() == 1
    assert AuditEvent.objects.filter(action="person.matched", actor_id=alice.pk).count() == 1


def test_candidates_for_search_before_create_are_ranked_with_a_band(alice, people):
    record = MatchRecord(id="new", given_name="Will", surname="Jonson", dob=PartialDate(1980, 3, 4))

    results = person_candidates(viewer=viewer_of(alice), record=record)

    assert results[0].display_name == "William Johnson"
    assert results[0].band in {"link", "review"}
    assert results[0].probability > (results[1].probability if len(results) > 1 else 0)


def test_a_part2_programmes_person_is_found_by_name_but_not_by_its_identifier(site_a, alice):
    clinic = OrganizationFactory(site=site_a, kind="case_management", is_part2_program=True)
    person = PersonFactory(site=site_a, given_name="Dana", family_name="Whitehorse")
    Identifier.objects.create(person=person, kind="hmis", value="H-555", issuer=clinic)
    person_index_refresh(person)

    assert not MatchKey.objects.filter(person=person, key__contains="h555").exists()
    assert names(person_search(viewer=viewer_of(alice), query="Dana Whitehorse")) == [
        "Dana Whitehorse"
    ]


def test_the_index_follows_changes_and_forgets_a_merged_away_person(site_a, alice):
    person = PersonFactory(site=site_a, given_name="Mary", family_name="Okafor")
    survivor = PersonFactory(site=site_a, given_name="Mary", family_name="Okafor")
    assert MatchProfile.objects.filter(person=person).exists()

    Person.objects.filter(pk=person.pk).update(family_name="Okonkwo")
    person.refresh_from_db()
    person_index_refresh(person)
    assert MatchName.objects.filter(person=person, name="mary okonkwo").exists()

    Person.objects.filter(pk=person.pk).update(merged_into=survivor)
    person.refresh_from_db()
    person_index_refresh(person)
    assert not MatchKey.objects.filter(person=person).exists()
    assert not MatchProfile.objects.filter(person=person).exists()


def test_reindex_rebuilds_the_same_keys(site_a, people):
    before = sorted(MatchKey.objects.filter(site=site_a).values_list("person_id", "key"))
    MatchKey.objects.filter(site=site_a).delete()

    assert site_reindex(site=site_a) == 4
    after = sorted(MatchKey.objects.filter(site=site_a).values_list("person_id", "key"))
    assert after == before


def test_retraining_stores_a_new_version_that_lookups_then_use(site_a, people, admin, monkeypatch):
    monkeypatch.setattr(services, "MIN_TRAINING_PEOPLE", 4)
    first = site_model_train(actor=admin, site=site_a)
    second = site_model_train(actor=admin, site=site_a)

    assert (first.version, second.version) == (1, 2)
    assert second.trained_on == 4
    newest = MatchModel.from_dict(second.parameters).to_dict()
    assert site_model(site_a.pk).to_dict() == newest
    assert AuditEvent.objects.filter(action="matching.model_trained").count() == 2
    assert SiteMatchModel.objects.filter(site=site_a).count() == 2


@pytest.mark.parametrize("rows", [1, 50])
def test_search_page_runs_a_bounded_number_of_queries(
    login, alice, bridgeway, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site, family_name="Johnson"), provider=bridgeway
        )
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get("/people/", {"q": "Johnson"})

    assert response.text.count("badge-active") == rows


def test_search_page_shows_why_each_result_matched(login, alice, people):
    response = login(alice).get("/people/", {"q": "Bill Johnson"})

    assert response.status_code == 200
    assert "William Johnson" in response.text
    assert "nickname" in response.text


def test_search_page_is_refused_to_the_police(login, bob, people):
    response = login(bob).get("/people/", {"q": "Johnson"})

    assert response.status_code == 404


def test_a_site_too_small_to_learn_from_keeps_the_built_in_weights(site_a, people):
    with pytest.raises(TooFewPeopleError, match="at least 200"):
        site_model_train(actor=None, site=site_a)

    assert not SiteMatchModel.objects.exists()
    with pytest.raises(CommandError, match="built-in weights stay in use"):
        call_command("match_retrain", "--site", site_a.slug)


def test_site_model_defaults_before_training(site_a):
    assert site_model(site_a.pk).to_dict() == site_model(site_a.pk).default().to_dict()


def test_an_unrelated_role_at_the_site_cannot_search(site_a, people):
    evaluator = member(Role.EVALUATOR, site=site_a)

    assert person_search(viewer=viewer_of(evaluator), query="Johnson") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists on PostgreSQL only")
def test_on_postgresql_a_misspelt_name_is_found_by_trigram_similarity(alice, people):
    # No key and no word of the query matches "Wilma Johnston"; only similarity can.
    assert person_search(viewer=viewer_of(alice), query="Vilma Yohnston")[0].display_name == (
        "Wilma Johnston"
    )


def test_without_trigrams_that_misspelling_finds_no_one(alice, people):
    # The query of the PostgreSQL test shares no key and no word with anyone here, so only
    # trigram similarity can find Wilma Johnston.
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL answers it by similarity; the test above checks that")
    assert person_search(viewer=viewer_of(alice), query="Vilma Yohnston") == []
