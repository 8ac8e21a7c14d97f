from django.test import Client

from tandem.core.views import server_error
from tests.factories import sign_in


def test_the_500_page_is_styled_and_says_what_to_check(rf):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "/static/css/tandem.css" in response.content.decode()


def test_an_unknown_address_gets_the_styled_404_page(db):
    response = Client().get("/no/such/page/")

    assert response.status_code == 404
    assert "Not found" in response.text
    assert "/static/css/tandem.css" in response.text


def test_a_forged_csrf_token_gets_a_clear_page_and_changes_nothing(db, alice):
    client = sign_in(Client(enforce_csrf_checks=True), alice)

    response = client.post("/sites/", {"site": "whatever"})

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "nothing was changed" in response.text
