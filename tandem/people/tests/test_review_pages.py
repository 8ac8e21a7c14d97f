"""The duplicate-review pages: queue, side-by-side comparison, merge, "not the same person",
recent merges and unmerge. Only a project manager may open them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.people.merging import person_merge
from tandem.people.models import DuplicateCandidate, Person, PersonMerge
from tests.factories import (
    EnrollmentFactory,
    IdentifierFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    SiteFactory,
    add_totp,
    duplicate_candidate,
    member,
)

QUEUE = "/people/duplicates/"
MERGES = "/people/merges/"


def offered_survivor(html: str) -> str:
    """The value of the survivor radio button checked when the page opens."""
    radios = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="survivor"' in tag]
    checked = [tag for tag in radios if " checked" in tag]
    assert len(radios) == 2
    assert len(checked) == 1
    value = re.search(r'value="([^"]+)"', checked[0])
    assert value is not None
    return value.group(1)


@pytest.fixture
def pair(site_a, bridgeway):
    older = PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")
    enrolled = PersonFactory(
        site=site_a,
        given_name="Rosie",
        family_name="Kintero",
        date_of_birth=dt.date(1980, 5, 17),
    )
    PersonNameFactory(person=enrolled, given_name="Smiley")
    IdentifierFactory(person=enrolled, kind="hmis", value="HMIS-55")
    EnrollmentFactory(person=enrolled, provider=bridgeway)
    candidate = duplicate_candidate(
        older, enrolled, 0.97, explanation="Surnames sound alike; same date of birth."
    )
    return older, enrolled, candidate


def test_project_manager_sees_the_queue_most_likely_first(login, ruth, pair, site_a):
    weaker = duplicate_candidate(
        PersonFactory(site=site_a, given_name="Luis", family_name="Tran"),
        PersonFactory(site=site_a, given_name="Louis", family_name="Tran"),
        0.62,
        explanation="Given names are nicknames of each other.",
    )
    duplicate_candidate(
        PersonFactory(site=site_a), PersonFactory(site=site_a), 0.99, status="not_duplicate"
    )
    client = login(ruth)

    response = client.get(QUEUE)

    text = response.text
    assert response.status_code == 200
    assert text.index("Rosa Quintero") < text.index("Luis Tran")
    assert "Surnames sound alike; same date of birth." in text
    assert "97%" in text
    assert f"/people/duplicates/{weaker.public_id}/" in text
    assert text.count('class="card"') == 2
    assert AuditEvent.objects.get(action="duplicates.listed").detail == {"count": 2}


@pytest.mark.parametrize(
    "role", [Role.CASE_MANAGER, Role.CM_SUPERVISOR, Role.POLICE_OFFICER, Role.SITE_ADMIN]
)
def test_other_roles_get_404_on_every_review_page(login, site_a, pair, role):
    _, enrolled, candidate = pair
    user = member(role, site=site_a)
    add_totp(user)
    client = login(user)
    pages = [
        client.get(QUEUE),
        client.get(f"{QUEUE}{candidate.public_id}/"),
        client.post(
            f"{QUEUE}{candidate.public_id}/merge/",
            {"survivor": str(enrolled.public_id), "reason": "Same"},
        ),
        client.post(f"{QUEUE}{candidate.public_id}/not-the-same/"),
        client.get(MERGES),
    ]

    assert [page.status_code for page in pages] == [404] * 5
    assert not PersonMerge.objects.exists()
    candidate.refresh_from_db()
    assert candidate.status == "open"


def test_project_manager_of_another_site_sees_none_of_it(login, pair):
    _, enrolled, candidate = pair
    outsider = member(Role.PROJECT_MANAGER, site=SiteFactory())
    add_totp(outsider)
    client = login(outsider)

    queue = client.get(QUEUE)
    compare = client.get(f"{QUEUE}{candidate.public_id}/")
    merge = client.post(
        f"{QUEUE}{candidate.public_id}/merge/",
        {"survivor": str(enrolled.public_id), "reason": "Same"},
    )

    assert "Rosa" not in queue.text
    assert compare.status_code == merge.status_code == 404
    assert not PersonMerge.objects.exists()


def test_comparison_shows_both_records_with_differences_marked(login, ruth, pair):
    _, enrolled, candidate = pair
    client = login(ruth)

    response = client.get(f"{QUEUE}{candidate.public_id}/")

    text = response.text
    assert response.status_code == 200
    assert "Rosa Quintero" in text
    assert "Rosie Kintero" in text
    assert "Smiley (nickname / street name)" in text
    assert "HMIS id HMIS-55" in text
    assert "Active · Bridgeway" in text
    assert text.count('class="differs"') >= 4
    # The enrolled record is offered as the one to keep.
    assert offered_survivor(text) == str(enrolled.public_id)
    event = AuditEvent.objects.get(action="duplicates.compared")
    assert event.target_id == str(candidate.public_id)


def test_without_enrollments_the_older_record_is_offered(login, ruth, site_a):
    older = PersonFactory(site=site_a, given_name="First")
    newer = PersonFactory(site=site_a, given_name="Second")
    candidate = duplicate_candidate(newer, older)
    client = login(ruth)

    response = client.get(f"{QUEUE}{candidate.public_id}/")

    assert offered_survivor(response.text) == str(older.public_id)


def test_merging_from_the_comparison_keeps_the_chosen_record(login, ruth, pair):
    older, enrolled, candidate = pair
    client = login(ruth)

    response = client.post(
        f"{QUEUE}{candidate.public_id}/merge/",
        {"survivor": str(enrolled.public_id), "reason": "Same birth date and HMIS id"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{enrolled.public_id}/"
    assert Person.objects.get(pk=older.pk).merged_into_id == enrolled.pk
    candidate.refresh_from_db()
    assert candidate.status == "merged"
    assert candidate.decided_by == ruth
    assert "No pairs are waiting for review." in client.get(QUEUE).text


def test_the_merged_record_opens_the_survivor(login, ruth, alice, charlie, pair):
    older, enrolled, _ = pair
    person_merge(actor=ruth, survivor=enrolled, merged=older, reason="Same person")

    redirected = login(alice).get(f"/people/{older.public_id}/")
    history = login(alice).get(f"/people/{older.public_id}/history/")
    elsewhere = login(charlie).get(f"/people/{older.public_id}/")

    assert redirected.status_code == 302
    assert redirected["Location"] == f"/people/{enrolled.public_id}/"
    assert history["Location"] == f"/people/{enrolled.public_id}/history/"
    assert elsewhere.status_code == 404


def test_a_refused_merge_is_shown_on_the_comparison_and_changes_nothing(login, ruth, pair, site_a):
    older, enrolled, candidate = pair
    northside = OrganizationFactory(site=site_a, kind="case_management", name="Northside")
    EnrollmentFactory(person=older, provider=northside)
    client = login(ruth)

    response = client.post(
        f"{QUEUE}{candidate.public_id}/merge/",
        {"survivor": str(enrolled.public_id), "reason": "Same"},
    )

    assert response.status_code == 200
    assert "two case-management teams hold them" in response.text
    assert "Same</textarea>" in response.text
    assert not PersonMerge.objects.exists()
    assert Person.objects.get(pk=older.pk).merged_into_id is None


def test_a_merge_needs_a_reason(login, ruth, pair):
    _, enrolled, candidate = pair
    client = login(ruth)

    response = client.post(
        f"{QUEUE}{candidate.public_id}/merge/", {"survivor": str(enrolled.public_id)}
    )

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not PersonMerge.objects.exists()


def test_a_survivor_outside_the_pair_is_refused(login, ruth, pair, site_a):
    _, _, candidate = pair
    stranger = PersonFactory(site=site_a)
    client = login(ruth)

    response = client.post(
        f"{QUEUE}{candidate.public_id}/merge/",
        {"survivor": str(stranger.public_id), "reason": "Same"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not PersonMerge.objects.exists()


def test_not_the_same_person_is_kept_and_leaves_the_queue(login, ruth, pair):
    _, _, candidate = pair
    client = login(ruth)

    response = client.post(f"{QUEUE}{candidate.public_id}/not-the-same/", {"reason": "Twins"})

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert candidate.decided_by == ruth
    assert "No pairs are waiting for review." in client.get(QUEUE).text
    assert AuditEvent.objects.get(action="duplicate.rejected").detail == {"reason": "Twins"}


def test_recent_merges_offer_an_unmerge_that_needs_confirmation(login, ruth, pair):
    older, enrolled, _ = pair
    merge = person_merge(actor=ruth, survivor=enrolled, merged=older, reason="Same birth date")
    client = login(ruth)

    page = client.get(MERGES)
    unconfirmed = client.post(f"/people/merges/{merge.public_id}/unmerge/", {"reason": "Twins"})

    assert "Rosa Quintero merged into" in page.text
    assert "Reason: Same birth date" in page.text
    assert f'action="/people/merges/{merge.public_id}/unmerge/' in page.text
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm the unmerge." in unconfirmed.text
    assert ">Twins</textarea>" in unconfirmed.text
    assert Person.objects.get(pk=older.pk).merged_into_id == enrolled.pk


def test_unmerge_separates_the_records_again(login, ruth, pair):
    older, enrolled, candidate = pair
    merge = person_merge(actor=ruth, survivor=enrolled, merged=older, reason="Same")
    client = login(ruth)

    response = client.post(
        f"/people/merges/{merge.public_id}/unmerge/", {"reason": "Twins", "confirm": "on"}
    )

    assert response.status_code == 302
    assert Person.objects.get(pk=older.pk).merged_into_id is None
    assert older.names.count() == 0
    assert enrolled.identifiers.get().value == "HMIS-55"
    candidate.refresh_from_db()
    assert candidate.status == "open"
    page = client.get(MERGES)
    assert "Undone" in page.text
    assert "Twins" in page.text
    assert AuditEvent.objects.filter(action="merges.listed").count() == 1


def test_an_unmerge_refused_by_the_service_is_shown_beside_the_merge(login, ruth, pair, site_a):
    older, enrolled, _ = pair
    first = person_merge(actor=ruth, survivor=enrolled, merged=older, reason="Same")
    person_merge(actor=ruth, survivor=PersonFactory(site=site_a), merged=enrolled, reason="Again")
    client = login(ruth)

    response = client.post(
        f"/people/merges/{first.public_id}/unmerge/", {"reason": "Twins", "confirm": "on"}
    )

    assert response.status_code == 200
    assert "Undo that later merge first." in response.text
    assert Person.objects.get(pk=older.pk).merged_into_id == enrolled.pk


def test_a_merge_of_another_site_cannot_be_undone(login, pair):
    older, enrolled, _ = pair
    merge = person_merge(actor=None, survivor=enrolled, merged=older, reason="Same")
    outsider = member(Role.PROJECT_MANAGER, site=SiteFactory())
    add_totp(outsider)
    client = login(outsider)

    response = client.post(
        f"/people/merges/{merge.public_id}/unmerge/", {"reason": "x", "confirm": "on"}
    )

    assert response.status_code == 404
    assert Person.objects.get(pk=older.pk).merged_into_id == enrolled.pk


@pytest.mark.parametrize("pairs", [1, 30])
def test_queue_page_query_budget(login, ruth, site_a, django_assert_max_num_queries, pairs):
    for index in range(pairs):
        duplicate_candidate(
            PersonFactory(site=site_a), PersonFactory(site=site_a), 0.5 + index / 100
        )
    client = login(ruth)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(QUEUE)

    assert response.text.count('class="card"') == pairs


def test_comparison_page_query_budget(login, ruth, pair, django_assert_max_num_queries):
    older, enrolled, candidate = pair
    for index in range(30):
        PersonNameFactory(person=older, given_name=f"Alias{index}")
        IdentifierFactory(person=enrolled, value=f"PD-{index}")
    client = login(ruth)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(f"{QUEUE}{candidate.public_id}/")

    assert "Alias29" in response.text


@pytest.mark.parametrize("merges", [1, 30])
def test_merges_page_query_budget(login, ruth, site_a, django_assert_max_num_queries, merges):
    for _ in range(merges):
        person_merge(
            actor=ruth,
            survivor=PersonFactory(site=site_a),
            merged=PersonFactory(site=site_a),
            reason="Same",
        )
    client = login(ruth)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(MERGES)

    assert response.text.count('class="card"') == merges


def test_the_project_manager_can_look_for_duplicates_now(client, site_a):
    from tandem.access.roles import Role
    from tandem.audit.models import AuditEvent
    from tandem.people.models import DuplicateCandidate
    from tests.factories import PersonFactory, add_totp, member, sign_in

    manager = member(Role.PROJECT_MANAGER, site=site_a)
    add_totp(manager)
    PersonFactory(site=site_a, given_name="William", family_name="Okafor")
    PersonFactory(site=site_a, given_name="Bill", family_name="Okafor")
    client = sign_in(client, manager)

    response = client.post("/people/duplicates/scan/")

    assert response.status_code == 302
    assert DuplicateCandidate.objects.filter(site=site_a, status="open").count() == 1
    assert AuditEvent.objects.filter(action="matching.duplicates_scanned").count() == 1
    assert "1 pair is waiting" in client.get("/people/duplicates/").text
