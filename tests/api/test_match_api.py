"""POST /api/v1/people/match over real HTTP handling: ranked candidates with probabilities
and explanations for roles that may find people; the police never receive the list."""

from __future__ import annotations

import pytest

from tandem.audit.models import AuditEvent
from tests.api.conftest import bearer

URL = "/api/v1/people/match"


def test_case_management_system_gets_ranked_candidates_with_reasons(
    client, bridgeway_token, caseload
):
    response = client.post(
        URL,
        {"given_name": "Rosa", "family_name": "Quinteros", "date_of_birth": "1980-05-17"},
        content_type="application/json",
        headers=bearer(bridgeway_token[1]),
    )

    assert response.status_code == 200
    best = response.json()[0]
    assert best["id"] == str(caseload["held"].public_id)
    assert best["display_name"] == "Rosa Quintero"
    assert best["band"] in {"link", "review"}
    assert 0 < best["probability"] <= 1
    assert best["explanation"]
    assert best["enrollment_status"] == "active"
    assert AuditEvent.objects.filter(action="person.matched").count() == 1


def test_a_signed_in_case_manager_may_match_through_the_session(login, alice, caseload):
    client = login(alice)

    response = client.post(
        URL, {"given_name": "Luis", "family_name": "Tran"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()[0]["display_name"] == "Luis Tran"


def test_another_sites_people_are_never_candidates(client, site_b_token, caseload):
    response = client.post(
        URL,
        {"given_name": "Rosa", "family_name": "Quintero"},
        content_type="application/json",
        headers=bearer(site_b_token[1]),
    )

    assert response.status_code == 200
    assert "Rosa Quintero" not in {row["display_name"] for row in response.json()}


def test_the_police_never_receive_the_list(client, police_token, caseload):
    response = client.post(
        URL,
        {"given_name": "Rosa", "family_name": "Quintero"},
        content_type="application/json",
        headers=bearer(police_token[1]),
    )

    assert response.status_code == 403
    assert "Quintero" not in response.text
    assert not AuditEvent.objects.filter(action="person.matched").exists()


@pytest.mark.parametrize(
    ("date_of_birth", "words"),
    [("1980-13-01", "month"), ("1980-02-30", "day"), ("80-01-01", "pattern")],
)
def test_a_bad_date_of_birth_is_refused_with_a_clear_message(
    client, bridgeway_token, caseload, date_of_birth, words
):
    response = client.post(
        URL,
        {"family_name": "Tran", "date_of_birth": date_of_birth},
        content_type="application/json",
        headers=bearer(bridgeway_token[1]),
    )

    assert response.status_code == 422
    assert words in response.text.lower()
