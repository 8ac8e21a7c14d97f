import pytest

from tests.factories import PersonFactory


@pytest.mark.parametrize("path", ["/", "/people/", "/people/?q=Rosa"])
def test_pages_for_a_member_are_never_stored(login, alice, path):
    response = login(alice).get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_person_page_is_never_stored(login, alice, site_a):
    person = PersonFactory(site=site_a)

    response = login(alice).get(f"/people/{person.public_id}/")

    assert "no-store" in response["Cache-Control"]


def test_pages_that_answer_htmx_with_a_fragment_vary_on_it(login, alice):
    response = login(alice).get("/people/")

    assert "HX-Request" in response["Vary"]


def test_htmx_keeps_no_copies_of_pages_in_the_browser(login, alice):
    response = login(alice).get("/")

    assert '"historyCacheSize": 0' in response.text
