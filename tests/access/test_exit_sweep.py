"""After an exit nobody holds the participant, and the team whose enrollment ended keeps
reading its record (decide(): the former holder). This sweep proves the widening reaches
that team only: in the route matrix's scene the team writes a note for itself and a health
note, and the person exits. Every page and fragment of the site is then opened by every
other role, including police and legal partners under releases the former team recorded
naming them for everything their role may ever receive, and by another provider's case
manager; none carries either note. The former team's pages answer without an error, and its
casework page and timeline carry both notes (so the search would find them if they leaked)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.access.roles import CASE_MANAGEMENT_ROLES, Role
from tandem.access.viewer import Viewer
from tandem.casework.models import Enrollment
from tandem.casework.services import enrollment_exit
from tests.access.test_route_matrix import MATRIX, scene, url_for  # noqa: F401  (fixture)
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    OrganizationFactory,
    add_totp,
    member,
    sign_in,
)

TEAM_NOTE = "Sleeps behind the Lander St laundromat since the sweep"
HEALTH_NOTE = "Abscess on the left forearm, clinic on Thursday"
# No character that HTML escapes, so a search of the page bytes finds the words.
EXIT_REASON = "Moved to Tacoma to live with her sister"
SECRETS = (TEAM_NOTE, HEALTH_NOTE, EXIT_REASON)
CEILING = {
    Role.POLICE_OFFICER: ["enrollment", "identity"],
    Role.POLICE_SERGEANT: ["enrollment", "identity"],
    Role.PROSECUTOR: ["enrollment", "identity", "legal"],
    Role.DEFENDER: ["enrollment", "identity", "legal"],
}
OTHERS = [role for role in Role if role not in CASE_MANAGEMENT_ROLES]
PAGES = sorted(name for name, (method, _) in MATRIX.items() if method == "GET")


@pytest.fixture
def exited_scene(request, db):
    from tandem.casework.tests.factories import ContactFactory

    matrix_scene = request.getfixturevalue("scene")
    enrollment = matrix_scene["enrollment"]
    team = matrix_scene["users"][Role.CASE_MANAGER]
    ContactFactory(enrollment=enrollment, recorded_by=team, note=TEAM_NOTE)
    ContactFactory(
        enrollment=enrollment,
        recorded_by=team,
        note=HEALTH_NOTE,
        note_category="health",
        note_audience="work_group",
    )
    for role, categories in CEILING.items():
        organization = matrix_scene["users"][role].memberships.get().organization
        release = ConsentFactory(
            person=matrix_scene["person"], recorded_by_organization_id=enrollment.provider_id
        )
        ConsentGrantFactory(consent=release, organization=organization, categories=categories)
    enrollment_exit(
        actor=team,
        viewer=Viewer.from_membership(team.memberships.select_related("organization").get()),
        enrollment=Enrollment.objects.get(pk=enrollment.pk),
        reason="moved",
        text=EXIT_REASON,
    )
    other_provider = OrganizationFactory(
        site=matrix_scene["site"], kind="case_management", name="Another provider"
    )
    outsider = member(Role.CASE_MANAGER, site=matrix_scene["site"], organization=other_provider)
    add_totp(outsider)
    matrix_scene["outsider"] = outsider
    return matrix_scene


@pytest.mark.parametrize("who", [*OTHERS, "other_provider"], ids=str)
def test_no_one_else_gains_sight_of_the_record_after_an_exit(client, exited_scene, who):
    user = exited_scene["outsider"] if who == "other_provider" else exited_scene["users"][Role(who)]
    sign_in(client, user)

    # The project office sees enrollment changes site-wide, an exit's reason included
    # (DESIGN.md §4); nobody else outside the former team reads it.
    secrets = (TEAM_NOTE, HEALTH_NOTE) if who == Role.PROJECT_MANAGER else SECRETS
    for name in PAGES:
        response = client.get(url_for(name, exited_scene))
        assert response.status_code < 500, name
        for words in secrets:
            assert words.encode() not in response.content, f"{name} shows {words!r} to {who}"


@pytest.mark.parametrize("role", sorted(CASE_MANAGEMENT_ROLES), ids=str)
def test_the_former_team_reads_its_record_and_every_page_answers(client, exited_scene, role):
    sign_in(client, exited_scene["users"][role])

    for name in PAGES:
        response = client.get(url_for(name, exited_scene))
        assert response.status_code < 500, name
    person = exited_scene["person"].public_id
    for url in (
        reverse("casework:person", args=[person]),
        reverse("casework:timeline", args=[person]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert TEAM_NOTE.encode() in response.content, url
        assert HEALTH_NOTE.encode() in response.content, url
        assert EXIT_REASON.encode() in response.content, url
