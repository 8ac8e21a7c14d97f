"""Each role's home page, the first page after sign-in, stays within the query budget
(DESIGN.md §7: 12 queries whatever the number of rows)."""

from __future__ import annotations

import pytest

from tandem.access.roles import CASE_MANAGEMENT_ROLES, Role
from tandem.tenancy.models import Site
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    add_totp,
    member,
)

BUDGET = 12


def populate(site: Site, provider, case_manager, rows: int) -> None:
    """`rows` participants held by `provider`, and as many people not (yet) enrolled."""
    other = OrganizationFactory(site=site, kind="case_management", name="Northside")
    for n in range(rows):
        EnrollmentFactory(
            person=PersonFactory(site=site),
            provider=provider if n % 2 == 0 else other,
            case_manager=case_manager if n % 2 == 0 else None,
        )
        PersonFactory(site=site)


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_roles_home_page_runs_a_bounded_number_of_queries(
    login, site_a, bridgeway, django_assert_max_num_queries, role, rows
):
    if role in CASE_MANAGEMENT_ROLES:
        user = member(role, organization=bridgeway)
    else:
        user = member(role, site=site_a)
    add_totp(user)
    populate(site_a, bridgeway, user, rows)
    if role is Role.NATIONAL_SUPPORT:
        Site.objects.update(shares_national_aggregates=True)
        for _ in range(rows - 1):
            site = SiteFactory(shares_national_aggregates=True)
            populate(site, OrganizationFactory(site=site), None, 1)
    client = login(user)

    with django_assert_max_num_queries(BUDGET):
        response = client.get("/")

    assert response.status_code == 200
