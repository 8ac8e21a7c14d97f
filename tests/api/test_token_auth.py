"""A partner system's bearer token: who it is, what it may read, and that every use is on
the audit chain."""

from __future__ import annotations

import uuid

import pytest

from tandem.accounts.services import TOKEN_PREFIX, api_token_revoke
from tandem.audit.models import AuditEvent
from tests.api.conftest import bearer
from tests.factories import EnrollmentFactory, PersonFactory

UNAUTHORIZED = {"detail": "Unauthorized"}


def test_me_reports_the_tokens_role_site_and_organisation(client, bridgeway, bridgeway_token):
    token, secret = bridgeway_token

    response = client.get("/api/v1/me", headers=bearer(secret))

    assert response.status_code == 200
    assert response.json() == {
        "principal": f"token:{token.name}",
        "kind": "token",
        "site": str(bridgeway.site.public_id),
        "organization": str(bridgeway.public_id),
        "role": "case_manager",
    }


def test_case_manager_token_lists_the_people_of_its_site_only(client, bridgeway_token, caseload):
    response = client.get("/api/v1/people", headers=bearer(bridgeway_token[1]))

    assert response.status_code == 200
    assert {row["display_name"]: row["enrollment_status"] for row in response.json()} == {
        "Ada Okafor": "active",
        "Luis Tran": "inactive",
        "Rosa Quintero": "active",
        # An exited enrollment is history: the person is listed as not enrolled.
        "“Smiley”": None,
    }


def test_case_manager_token_finds_a_person_by_alias(client, bridgeway_token, caseload):
    response = client.get("/api/v1/people", {"q": "Ro"}, headers=bearer(bridgeway_token[1]))

    assert [row["id"] for row in response.json()] == [str(caseload["held"].public_id)]


def test_holding_organisations_token_reads_the_whole_record(client, bridgeway_token, caseload):
    held = caseload["held"]

    response = client.get(f"/api/v1/people/{held.public_id}", headers=bearer(bridgeway_token[1]))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(held.public_id)
    assert body["display_name"] == "Rosa Quintero"
    assert body["date_of_birth"] == "1980-05-17"
    assert body["names"] == [{"kind": "nickname", "given_name": "Ro", "family_name": ""}]
    assert body["enrollment"] == {
        "status": "active",
        "provider": "Bridgeway",
        "on_call_phone": "555-0100",
        "enrolled_on": "2026-01-05",
    }
    assert "categories" not in body


@pytest.mark.parametrize(
    ("query", "error_type"),
    [
        ("x" * 101, "string_too_long"),
        # PostgreSQL text cannot hold NUL; the query must be refused before it gets there.
        ("Rosa\x00", "string_pattern_mismatch"),
    ],
)
def test_a_query_the_schema_refuses_gets_422_and_searches_nothing(
    client, bridgeway_token, caseload, query, error_type
):
    response = client.get("/api/v1/people", {"q": query}, headers=bearer(bridgeway_token[1]))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "q"]
    assert error["type"] == error_type
    assert not AuditEvent.objects.filter(action__in=["person.listed", "person.searched"]).exists()


def test_a_malformed_person_id_gets_422(client, bridgeway_token):
    response = client.get("/api/v1/people/not-a-uuid", headers=bearer(bridgeway_token[1]))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "person_id"]


def test_token_of_another_site_gets_the_same_404_as_a_missing_person(
    client, site_b_token, caseload
):
    headers = bearer(site_b_token[1])

    out_of_scope = client.get(f"/api/v1/people/{caseload['held'].public_id}", headers=headers)
    missing = client.get(f"/api/v1/people/{uuid.uuid4()}", headers=headers)

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content
    assert out_of_scope["Content-Type"] == missing["Content-Type"]
    assert out_of_scope.json() == {"detail": "Not Found"}
    assert "Rosa" not in out_of_scope.text


def test_token_of_another_site_lists_only_its_own_people(client, site_b_token, caseload):
    response = client.get("/api/v1/people", headers=bearer(site_b_token[1]))

    assert [row["display_name"] for row in response.json()] == ["Deborah Yazzie"]


def test_revoked_token_gets_401(client, admin, bridgeway_token):
    token, secret = bridgeway_token
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    api_token_revoke(actor=admin, token=token)
    response = client.get("/api/v1/me", headers=bearer(secret))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "secret",
    [
        TOKEN_PREFIX + "not-a-token-anyone-was-given",
        "not-even-a-tandem-token",
        TOKEN_PREFIX,
    ],
)
def test_unknown_secret_gets_401_and_is_not_recorded_as_a_use(client, bridgeway_token, secret):
    response = client.get("/api/v1/people", headers=bearer(secret))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert not AuditEvent.objects.filter(action="api_token.used").exists()


def test_a_secret_that_differs_in_one_character_gets_401(client, bridgeway_token):
    secret = bridgeway_token[1]
    altered = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    response = client.get("/api/v1/me", headers=bearer(altered))

    assert response.status_code == 401


def test_no_credentials_get_401(client, db):
    response = client.get("/api/v1/people")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_each_call_is_audited_and_stamps_last_used_at(client, bridgeway_token, caseload):
    token, secret = bridgeway_token
    assert token.last_used_at is None
    held = caseload["held"]

    client.get("/api/v1/me", headers=bearer(secret))
    token.refresh_from_db()
    first_use = token.last_used_at
    client.get(f"/api/v1/people/{held.public_id}", headers=bearer(secret))
    token.refresh_from_db()

    assert first_use is not None
    assert token.last_used_at is not None
    assert token.last_used_at >= first_use
    uses = list(AuditEvent.objects.filter(action="api_token.used").order_by("seq"))
    assert [use.detail for use in uses] == [
        {"method": "GET", "path": "/api/v1/me"},
        {"method": "GET", "path": f"/api/v1/people/{held.public_id}"},
    ]
    for use in uses:
        assert use.api_token_id == token.pk
        assert use.actor_id is None
        assert use.actor_label == f"token:{token.name}"
        assert use.site_id == token.site_id
        assert use.target_type == "accounts.apitoken"
        assert use.target_id == str(token.public_id)
    # The read itself is audited too, under the token.
    viewed = AuditEvent.objects.get(action="person.viewed")
    assert viewed.api_token_id == token.pk
    assert viewed.target_id == str(held.public_id)


def test_police_token_sees_no_people_until_consent_exists(client, police_token, caseload):
    headers = bearer(police_token[1])

    listing = client.get("/api/v1/people", headers=headers)
    detail = client.get(f"/api/v1/people/{caseload['held'].public_id}", headers=headers)
    missing = client.get(f"/api/v1/people/{uuid.uuid4()}", headers=headers)

    assert listing.status_code == 200
    assert listing.json() == []
    assert detail.status_code == 404
    assert detail.content == missing.content
    assert "Rosa" not in detail.text
    assert AuditEvent.objects.filter(
        action="person.view_refused", target_id=str(caseload["held"].public_id)
    ).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_people_list_runs_a_bounded_number_of_queries(
    client, bridgeway, bridgeway_token, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EnrollmentFactory(person=PersonFactory(site=bridgeway.site), provider=bridgeway)

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/people", headers=bearer(bridgeway_token[1]))

    assert response.status_code == 200
    assert len(response.json()) == rows
