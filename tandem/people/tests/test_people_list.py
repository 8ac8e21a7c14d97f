import pytest

from tandem.audit.models import AuditEvent
from tests.factories import EnrollmentFactory, PersonFactory, PersonNameFactory


def test_case_manager_finds_a_person_by_nickname(login, alice, site_a):
    person = PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    PersonNameFactory(person=person, given_name="Debbie")
    PersonFactory(site=site_a, given_name="Luis", family_name="Tran")
    client = login(alice)

    response = client.get("/people/", {"q": "debbie"})

    assert response.status_code == 200
    assert "Deborah Yazzie" in response.text
    assert "Luis Tran" not in response.text


def test_search_never_returns_people_of_another_site(login, charlie, site_a):
    PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    client = login(charlie)

    response = client.get("/people/", {"q": "Deborah"})

    assert response.status_code == 200
    assert "Yazzie" not in response.text
    assert "No one matches" in response.text


def test_htmx_search_returns_only_the_results_fragment(login, alice, site_a):
    PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    client = login(alice)

    response = client.get("/people/", {"q": "Deb"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text
    assert "Deborah Yazzie" in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_police_cannot_search_people_even_through_the_fragment(login, bob, site_a, htmx):
    PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    client = login(bob)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.get("/people/", {"q": "Deb"}, headers=headers)

    assert response.status_code == 404
    assert "Yazzie" not in response.text


def test_a_search_is_audited_with_its_query_and_result_count(login, alice, site_a):
    PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    client = login(alice)

    client.get("/people/", {"q": "Yazz"})

    event = AuditEvent.objects.get(action="person.searched")
    assert event.detail == {"query": "Yazz", "count": 1}
    assert event.actor_id == alice.pk


@pytest.mark.parametrize("rows", [1, 50])
def test_people_list_runs_a_bounded_number_of_queries(
    login, alice, bridgeway, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(person=PersonFactory(site=bridgeway.site), provider=bridgeway)
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get("/people/")

    assert response.text.count("badge-active") == rows


def test_a_nul_byte_in_the_search_is_ignored(login, alice, site_a):
    PersonFactory(site=site_a, given_name="Deborah", family_name="Yazzie")
    client = login(alice)

    response = client.get("/people/", {"q": "Yaz\x00zie"})

    assert response.status_code == 200
    assert "Deborah Yazzie" in response.text


def test_someone_known_only_by_sight_is_listed_by_their_description(login, alice, site_a):
    PersonFactory(
        site=site_a,
        given_name="",
        family_name="",
        description="Older man with a cane, sleeps behind the library.",
    )
    client = login(alice)

    response = client.get("/people/")

    assert "Unnamed: Older man with a cane, sleeps behind the" in response.text
