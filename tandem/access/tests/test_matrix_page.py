"""The site administrator's effective matrix: role by category by consent state, as the one
decision answers it, with no participant data and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.access.matrix import CONSENT_STATES, effective_matrix
from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category, Role
from tests.factories import PersonFactory, add_totp, member, sign_in

STATES = [state.key for state in CONSENT_STATES]


def table(role: Role, holder: str = "another provider"):
    [found] = [t for t in effective_matrix() if t.role == role.label and holder in t.holder]
    return {row.category: dict(zip(STATES, row.cells, strict=True)) for row in found.rows}


def test_every_role_has_a_table_and_case_management_three():
    tables = effective_matrix()

    assert len(tables) == len(Role) + 2 * len(CASE_MANAGEMENT_ROLES)
    for t in tables:
        assert [row.category for row in t.rows] == [c.label for c in Category]
        assert all(len(row.cells) == len(CONSENT_STATES) for row in t.rows)


def test_police_see_enrollment_only_under_a_current_release():
    enrollment = table(Role.POLICE_OFFICER)["Enrollment"]

    assert [key for key, cell in enrollment.items() if cell.allowed] == [
        "current",
        "part2_naming",
    ]
    assert "No current release" in enrollment["expired"].reason
    assert "Part 2" in enrollment["part2_not_naming"].reason


@pytest.mark.parametrize("category", ["Casework", "Health", "Substance use", "Whereabouts"])
def test_police_never_see_casework_health_substance_use_or_whereabouts(category):
    assert not any(cell.allowed for cell in table(Role.POLICE_OFFICER)[category].values())


def test_the_holding_team_sees_everything_whatever_the_releases():
    own = table(Role.CASE_MANAGER, holder="held by the viewer's provider")

    assert all(cell.allowed for cells in own.values() for cell in cells.values())


def test_the_team_whose_enrollment_ended_keeps_sight_of_everything():
    ended = table(Role.CASE_MANAGER, holder="enrollment with the viewer's provider ended")

    assert all(cell.allowed for cells in ended.values() for cell in cells.values())
    assert "until it ended" in ended["Casework"]["none"].reason


def test_another_providers_team_sees_who_and_whom_to_call_unless_a_part2_programme_holds():
    other = table(Role.CASE_MANAGER)

    assert other["Identity"]["none"].allowed
    assert other["Enrollment"]["none"].allowed
    assert not other["Enrollment"]["part2_not_naming"].allowed
    assert other["Enrollment"]["part2_naming"].allowed
    assert not other["Casework"]["current"].allowed


@pytest.mark.parametrize("role", [Role.SITE_ADMIN, Role.EVALUATOR, Role.NATIONAL_SUPPORT])
def test_aggregate_roles_see_no_one(role):
    assert not any(cell.allowed for cells in table(role).values() for cell in cells.values())


def test_the_site_administrator_prints_the_matrix(client, admin, site_a):
    PersonFactory(site=site_a, given_name="Rosa", family_name="Quintero")
    sign_in(client, admin)

    response = client.get(reverse("access:matrix"))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Who sees what at Site A" in text
    assert "Police officer: participants held by another provider" in text
    assert "Case manager: participants held by the viewer&#x27;s provider" in text
    assert "Part 2 programme holds; its release names the organisation" in text
    assert "Rosa" not in text


def test_the_matrix_runs_a_bounded_number_of_queries(
    client, admin, site_a, django_assert_max_num_queries
):
    for _ in range(20):
        PersonFactory(site=site_a)
    sign_in(client, admin)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("access:matrix"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.POLICE_OFFICER, Role.PROJECT_MANAGER])
def test_only_the_site_administrator_opens_it(client, site_a, role):
    user = member(role, site=site_a)
    add_totp(user)
    sign_in(client, user)

    assert client.get(reverse("access:matrix")).status_code == 404
