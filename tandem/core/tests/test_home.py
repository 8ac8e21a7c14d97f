import pytest

from tests.factories import EnrollmentFactory, PersonFactory


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_case_manager_sees_own_caseload(login, alice, bridgeway):
    enrollment = EnrollmentFactory(
        person=PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Parkes"),
        provider=bridgeway,
        case_manager=alice,
    )
    client = login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert "My caseload" in response.text
    assert "Rosa Parkes" in response.text
    assert str(enrollment.person.public_id) in response.text


@pytest.mark.parametrize("rows", [1, 50])
def test_caseload_page_runs_a_bounded_number_of_queries(
    login, alice, bridgeway, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site), provider=bridgeway, case_manager=alice
        )
    client = login(alice)

    with django_assert_max_num_queries(12):
        response = client.get("/")

    assert response.text.count('class="badge badge-active"') == rows


def test_caseload_of_people_known_only_by_sight_runs_no_extra_queries(
    login, alice, bridgeway, django_assert_max_num_queries
):
    for _ in range(10):
        EnrollmentFactory(
            person=PersonFactory(
                site=bridgeway.site, given_name="", family_name="", description="Red backpack"
            ),
            provider=bridgeway,
            case_manager=alice,
        )
    client = login(alice)
    client.get("/")

    with django_assert_max_num_queries(9):
        response = client.get("/")

    assert response.text.count("Unnamed: Red backpack") == 10
