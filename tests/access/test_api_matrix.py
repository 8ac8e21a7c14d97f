"""Every operation of the API (read from the NinjaAPI's own OpenAPI schema) by every role,
each through a partner system's bearer token, plus a case-management token of another site
and one of another provider; the person-scoped operations by every consent state of
tests/access/test_consent_matrix.py. An operation missing here fails the suite.

Expected answers come from DESIGN.md §4's defaults as written down in
tests/access/test_consent_matrix.py (`visible`), not from `decide()`; a person read or list
that shows a Part 2 programme's information outside it must carry `part2_notice`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tandem.access.roles import CASE_MANAGEMENT_ROLES, POLICE_ROLES, Category, Role
from tandem.accounts.services import PARTNER_TOKEN_ROLES, api_token_issue
from tandem.api.urls import api
from tandem.audit.disclosures import PART2_STATEMENT
from tandem.audit.models import Disclosure
from tests.access.test_consent_matrix import (
    GRANTABLE,
    OTHER_PROVIDER,
    OTHER_SITE,
    PART2_STATES,
    PERSONAS,
    PROGRAMME,
    STATES,
    _release,
    visible,
)
from tests.access.test_route_matrix import PEOPLE_FINDERS
from tests.api.conftest import bearer
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    api_token,
    member,
)

# Roles whose referral queue opens (tests/access/test_route_matrix.py: referrals:queue).
REFERRAL_QUEUE = PEOPLE_FINDERS | POLICE_ROLES


@dataclass
class ApiScene:
    people: dict[str, Any]
    secrets: dict[str, str]  # by state: the token that calls
    organization_names: dict[str, str]  # by state: the caller's organisation


def token_for(organization, role: Role) -> str:
    if role in PARTNER_TOKEN_ROLES:
        admin = member(Role.SITE_ADMIN, site=organization.site)
        return api_token_issue(actor=admin, organization=organization, role=role, name="System")[1]
    return api_token(organization, role, name="System")[1]


def build(persona: Role | str) -> ApiScene:
    site = SiteFactory()
    provider = OrganizationFactory(site=site, kind="case_management", name="Bridgeway")
    programme = OrganizationFactory(
        site=site, kind="case_management", name=PROGRAMME, is_part2_program=True
    )
    elsewhere = OrganizationFactory(site=site, kind="case_management", name="Elsewhere")
    bystander = OrganizationFactory(site=site, kind="police", name="Unrelated agency")
    callers: dict[str, tuple[Any, Role]]
    recipient: Any
    if persona == OTHER_SITE:
        far = OrganizationFactory(site=SiteFactory(), kind="case_management")
        callers = dict.fromkeys(STATES, (far, Role.CASE_MANAGER))
        recipient = elsewhere
    elif persona == OTHER_PROVIDER:
        callers = dict.fromkeys(STATES, (elsewhere, Role.CASE_MANAGER))
        recipient = elsewhere
    elif Role(persona) in CASE_MANAGEMENT_ROLES:
        callers = {s: (programme if s in PART2_STATES else provider, Role(persona)) for s in STATES}
        recipient = elsewhere
    else:
        own = member(Role(persona), site=site).memberships.get().organization
        callers = dict.fromkeys(STATES, (own, Role(persona)))
        recipient = own
    secrets: dict[tuple[int, Role], str] = {}
    for organization, role in callers.values():
        if (organization.pk, role) not in secrets:
            secrets[(organization.pk, role)] = token_for(organization, role)
    categories = GRANTABLE.get(recipient.kind, sorted(Category.values))
    people = {}
    for state in STATES:
        holder = programme if state in PART2_STATES else provider
        person = PersonFactory(site=site, given_name="Api", family_name=f"State-{state}")
        EnrollmentFactory(person=person, provider=holder)
        if state == "none":
            _release(person, holder, bystander, ["enrollment"], state)
        elif state == "part2_not_naming":
            _release(person, provider, recipient, categories, state)
            _release(person, programme, bystander, ["enrollment"], state)
        else:
            _release(person, holder, recipient, categories, state)
        people[state] = person
    return ApiScene(
        people=people,
        secrets={s: secrets[(o.pk, r)] for s, (o, r) in callers.items()},
        organization_names={s: o.name for s, (o, _) in callers.items()},
    )


def role_of(persona: Role | str) -> Role:
    return Role.CASE_MANAGER if persona in (OTHER_SITE, OTHER_PROVIDER) else Role(persona)


def discloses(scene: ApiScene, persona, state: str) -> bool:
    """Whether showing this state's person's enrollment to the caller is a Part 2 disclosure."""
    outside = scene.organization_names[state] != PROGRAMME
    return state == "part2_naming" and outside and Category.ENROLLMENT in visible(persona, state)


def check_notice(item: dict[str, Any], expected: bool) -> None:
    if expected:
        assert item["part2_notice"]["statement"] == PART2_STATEMENT
        assert item["part2_notice"]["consents"]
    else:
        assert item.get("part2_notice") is None


# One checker per operation: (client, scene, persona) -> None -------------------------------


def check_me(client, scene, persona):
    for state in STATES:
        response = client.get("/api/v1/me", headers=bearer(scene.secrets[state]))
        assert response.status_code == 200
        assert response.json()["role"] == role_of(persona).value


def check_people(client, scene, persona):
    for state, person in scene.people.items():
        response = client.get("/api/v1/people", headers=bearer(scene.secrets[state]))
        assert response.status_code == 200
        rows = {row["id"]: row for row in response.json()}
        seen = visible(persona, state)
        listed = role_of(persona) in PEOPLE_FINDERS and Category.IDENTITY in seen
        assert (str(person.public_id) in rows) == listed, state
        if listed:
            row = rows[str(person.public_id)]
            assert (row["enrollment_status"] is not None) == (Category.ENROLLMENT in seen)
            check_notice(row, discloses(scene, persona, state))


def check_people_match(client, scene, persona):
    for state, person in scene.people.items():
        response = client.post(
            "/api/v1/people/match",
            {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth.isoformat(),
            },
            content_type="application/json",
            headers=bearer(scene.secrets[state]),
        )
        if role_of(persona) not in PEOPLE_FINDERS:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        found = {row["id"]: row for row in response.json()}
        seen = visible(persona, state)
        assert (str(person.public_id) in found) == (Category.IDENTITY in seen), state
        if str(person.public_id) in found:
            check_notice(found[str(person.public_id)], discloses(scene, persona, state))


def check_person(client, scene, persona):
    for state, person in scene.people.items():
        before = Disclosure.objects.count()
        response = client.get(
            f"/api/v1/people/{person.public_id}", headers=bearer(scene.secrets[state])
        )
        seen = visible(persona, state)
        if not seen & {Category.IDENTITY, Category.ENROLLMENT}:
            assert response.status_code == 404, state
            assert response.json() == {"detail": "Not Found"}
            continue
        assert response.status_code == 200, state
        body = response.json()
        assert (body["display_name"] is not None) == (Category.IDENTITY in seen), state
        assert (body["enrollment"] is not None) == (Category.ENROLLMENT in seen), state
        check_notice(body, discloses(scene, persona, state))
        wrote = Disclosure.objects.count() - before
        assert wrote == (1 if discloses(scene, persona, state) else 0), state
        if wrote:
            assert Disclosure.objects.latest("id").channel == "api"


def check_referrals(client, scene, persona):
    response = client.get("/api/v1/referrals", headers=bearer(scene.secrets["none"]))
    expected = 200 if role_of(persona) in REFERRAL_QUEUE else 403
    assert response.status_code == expected


def check_referral(client, scene, persona):
    # Nobody has made one: every caller gets the same 404 as for any unknown id.
    response = client.get(
        f"/api/v1/referrals/{uuid.uuid4()}", headers=bearer(scene.secrets["none"])
    )
    assert response.status_code == 404


def check_referral_create(client, scene, persona):
    payload = {
        "door": "social_contact",
        "person": {"given_name": "New", "family_name": "Person"},
        "occurred_at": "2026-06-01T10:00:00Z",
        "location_text": "3rd Ave",
    }
    response = client.post(
        "/api/v1/referrals",
        payload,
        content_type="application/json",
        headers=bearer(scene.secrets["none"]),
    )
    # The site's default policy opens the police doors to police roles only.
    police = role_of(persona) in POLICE_ROLES and persona != OTHER_SITE
    assert response.status_code == (201 if police else 403)


OPERATIONS: dict[str, Callable[..., None]] = {
    "GET /api/v1/me": check_me,
    "GET /api/v1/people": check_people,
    "POST /api/v1/people/match": check_people_match,
    "GET /api/v1/people/{person_id}": check_person,
    "GET /api/v1/referrals": check_referrals,
    "POST /api/v1/referrals": check_referral_create,
    "GET /api/v1/referrals/{referral_id}": check_referral,
}


def schema_operations() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_every_api_operation_is_in_the_matrix():
    operations = schema_operations()

    assert operations == set(OPERATIONS), (
        "Add each API operation to OPERATIONS with what every role gets: "
        f"missing {sorted(operations - set(OPERATIONS))}, "
        f"stale {sorted(set(OPERATIONS) - operations)}"
    )


def test_the_person_read_documents_the_part2_notice():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    person = schema["components"]["schemas"]["PersonOut"]["properties"]["part2_notice"]

    assert "42 CFR Part 2" in person["description"]
    notice = schema["components"]["schemas"]["Part2NoticeOut"]
    assert set(notice["properties"]) == {"statement", "consents"}


CASES = [(operation, persona) for operation in sorted(OPERATIONS) for persona in PERSONAS]


@pytest.mark.parametrize(("operation", "persona"), CASES, ids=[f"{o}-{p}" for o, p in CASES])
def test_each_caller_gets_the_answer_the_defaults_give(client, db, operation, persona):
    scene = build(persona)

    OPERATIONS[operation](client, scene, persona)
