"""A substance-use note recorded by a 42 CFR Part 2 programme never reaches a police,
prosecutor or defender viewer: every page and fragment of the site (the route matrix's
scene), and every API read, is opened by each of them and searched for the note's words.

The programme holds the person and has recorded releases naming each partner's
organisation for everything their role may ever receive, the most that could open a door;
the note's audience is even "legal partners". None of it may carry the note."""

from __future__ import annotations

import pytest

from tandem.access.roles import Role
from tandem.accounts.services import api_token_issue
from tandem.tenancy.models import Organization
from tests.access.test_route_matrix import MATRIX, scene, url_for  # noqa: F401  (fixture)
from tests.factories import ConsentFactory, ConsentGrantFactory, sign_in

NOTE = "Restarted buprenorphine at the Part 2 clinic; used fentanyl on Friday"
PARTNERS = [Role.POLICE_OFFICER, Role.POLICE_SERGEANT, Role.PROSECUTOR, Role.DEFENDER]
CEILING = {
    Role.POLICE_OFFICER: ["enrollment", "identity"],
    Role.POLICE_SERGEANT: ["enrollment", "identity"],
    Role.PROSECUTOR: ["enrollment", "identity", "legal"],
    Role.DEFENDER: ["enrollment", "identity", "legal"],
}
PAGES = sorted(name for name, (method, _) in MATRIX.items() if method == "GET")


@pytest.fixture
def part2_scene(request, db):
    """The route matrix's scene, with its holding provider a Part 2 programme that wrote a
    substance-use note about the person and released the rest to every partner."""
    from tandem.casework.tests.factories import ContactFactory

    matrix_scene = request.getfixturevalue("scene")
    enrollment = matrix_scene["enrollment"]
    Organization.objects.filter(pk=enrollment.provider_id).update(is_part2_program=True)
    ContactFactory(
        enrollment=enrollment,
        recorded_by=matrix_scene["users"][Role.CASE_MANAGER],
        note=NOTE,
        note_category="substance_use",
        note_audience="legal_partners",
    )
    for role in PARTNERS:
        organization = matrix_scene["users"][role].memberships.get().organization
        release = ConsentFactory(
            person=matrix_scene["person"], recorded_by_organization_id=enrollment.provider_id
        )
        ConsentGrantFactory(consent=release, organization=organization, categories=CEILING[role])
    return matrix_scene


@pytest.mark.parametrize("role", PARTNERS, ids=[r.value for r in PARTNERS])
def test_no_page_or_fragment_carries_the_note(client, part2_scene, role):
    sign_in(client, part2_scene["users"][role])
    # The programme's own team sees it (so the search below would find it if it leaked).
    team = part2_scene["users"][Role.CASE_MANAGER]

    opened = 0
    for name in PAGES:
        response = client.get(url_for(name, part2_scene))
        opened += response.status_code == 200
        assert NOTE.encode() not in response.content, f"{name} shows the note to {role.value}"
    assert opened > 0

    client.logout()
    sign_in(client, team)
    timeline = client.get(f"/people/{part2_scene['person'].public_id}/timeline/")
    assert NOTE.encode() in timeline.content


# What the API answers each partner, read by read: a change of behaviour (a door opening or
# closing) fails here and is looked at, instead of passing as "some allowed status".
API_READS = ("me", "people", "people_search", "person", "referrals", "match")
API_STATUS = {
    Role.POLICE_OFFICER: dict(zip(API_READS, (200, 200, 200, 200, 200, 403), strict=True)),
    Role.POLICE_SERGEANT: dict(zip(API_READS, (200, 200, 200, 200, 200, 403), strict=True)),
    Role.PROSECUTOR: dict(zip(API_READS, (200, 200, 200, 200, 403, 403), strict=True)),
    Role.DEFENDER: dict(zip(API_READS, (200, 200, 200, 200, 403, 403), strict=True)),
}


@pytest.mark.parametrize("role", PARTNERS, ids=[r.value for r in PARTNERS])
def test_no_api_answer_carries_the_note(client, part2_scene, role):
    organization = part2_scene["users"][role].memberships.get().organization
    _, secret = api_token_issue(
        actor=part2_scene["users"][Role.SITE_ADMIN],
        organization=organization,
        role=role,
        name="Partner system",
    )
    headers = {"Authorization": f"Bearer {secret}"}
    person = part2_scene["person"]
    reads = {
        "me": client.get("/api/v1/me", headers=headers),
        "people": client.get("/api/v1/people", headers=headers),
        "people_search": client.get("/api/v1/people", {"q": person.family_name}, headers=headers),
        "person": client.get(f"/api/v1/people/{person.public_id}", headers=headers),
        "referrals": client.get("/api/v1/referrals", headers=headers),
        "match": client.post(
            "/api/v1/people/match",
            {"given_name": person.given_name, "family_name": person.family_name},
            content_type="application/json",
            headers=headers,
        ),
    }
    assert {name: response.status_code for name, response in reads.items()} == API_STATUS[role]
    for name, response in reads.items():
        assert NOTE.encode() not in response.content, f"{name} gives the note to {role.value}"
