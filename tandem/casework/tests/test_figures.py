import pytest

from tandem.access.roles import Role
from tandem.casework.models import Enrollment
from tandem.casework.selectors import SMALL_CELL
from tests.factories import EnrollmentFactory, PersonFactory, SiteFactory, add_totp, member


@pytest.fixture
def site_with(bridgeway):
    def _make(active: int, inactive: int = 0) -> None:
        for _ in range(active):
            EnrollmentFactory(person=PersonFactory(site=bridgeway.site), provider=bridgeway)
        for _ in range(inactive):
            EnrollmentFactory(
                person=PersonFactory(site=bridgeway.site),
                provider=bridgeway,
                status=Enrollment.Status.INACTIVE,
            )

    return _make


def figures_text(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.text


def test_evaluator_sees_small_counts_suppressed(login, site_a, site_with):
    site_with(active=SMALL_CELL, inactive=3)
    evaluator = member(Role.EVALUATOR, site=site_a)
    add_totp(evaluator)

    text = figures_text(login(evaluator))

    assert f"<td>{SMALL_CELL}</td>" in text
    assert "fewer than 11" in text
    assert "<td>3</td>" not in text


def test_project_manager_sees_exact_small_counts(login, site_a, site_with):
    site_with(active=2, inactive=3)
    ruth = member(Role.PROJECT_MANAGER, site=site_a)
    add_totp(ruth)

    text = figures_text(login(ruth))

    assert "<td>2</td>" in text
    assert "<td>3</td>" in text
    assert "fewer than" not in text


def test_pcg_member_sees_only_their_sites_figures(login, site_a, site_with):
    site_with(active=12)
    other = SiteFactory()
    pcg = member(Role.PCG_MEMBER, site=other)

    text = figures_text(login(pcg))

    assert "<td>12</td>" not in text


def test_national_staff_see_only_sites_that_share_and_never_a_person(login, site_a, site_with):
    site_with(active=15)
    national = member(Role.NATIONAL_SUPPORT, site=site_a)
    client = login(national)

    before = figures_text(client)
    site_a.shares_national_aggregates = True
    site_a.save()
    after = figures_text(client)

    assert "<caption>Site A</caption>" not in before
    assert "No site shares its figures yet" in before
    assert "<caption>Site A</caption>" in after
    assert "<td>15</td>" in after
    assert "Given" not in after


def test_supervisor_sees_caseloads_against_the_cap(login, bridgeway, alice):
    for _ in range(26):
        EnrollmentFactory(
            person=PersonFactory(site=bridgeway.site), provider=bridgeway, case_manager=alice
        )
    supervisor = member(Role.CM_SUPERVISOR, organization=bridgeway)
    add_totp(supervisor)

    text = figures_text(login(supervisor))

    compact = "".join(text.split())
    name = "".join(str(alice).split())
    assert f'<thscope="row">{name}</th><td>26<strongclass="warning">overthecapof25' in compact
