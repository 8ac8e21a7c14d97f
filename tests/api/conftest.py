"""Scene for the API suites: partner-system tokens for the personas' organisations, and a
small caseload at site A (plus one person at site B) for them to read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.access.roles import Role
from tandem.accounts.models import ApiToken, User
from tandem.accounts.services import PARTNER_TOKEN_ROLES, api_token_issue
from tandem.casework.models import Enrollment
from tandem.people.models import Person
from tandem.tenancy.models import Organization
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    api_token,
)

IssueToken = Callable[[Organization, Role], tuple[ApiToken, str]]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def organization_of(user: User) -> Organization:
    return user.memberships.select_related("organization").get().organization


@pytest.fixture
def issue_token(admin) -> IssueToken:
    """Issue a token through the service, as the site administrator would; a role the
    service does not issue (a provider's own system) is written directly."""

    def _issue(organization: Organization, role: Role) -> tuple[ApiToken, str]:
        if role in PARTNER_TOKEN_ROLES:
            return api_token_issue(
                actor=admin, organization=organization, role=role, name=f"{role.label} system"
            )
        return api_token(organization, role, name=f"{role.label} system")

    return _issue


@pytest.fixture
def bridgeway_token(issue_token, bridgeway) -> tuple[ApiToken, str]:
    """A case-management system of Bridgeway (site A), acting as a case manager."""
    return issue_token(bridgeway, Role.CASE_MANAGER)


@pytest.fixture
def site_b_token(issue_token, charlie) -> tuple[ApiToken, str]:
    return issue_token(organization_of(charlie), Role.CASE_MANAGER)


@pytest.fixture
def police_token(issue_token, bob) -> tuple[ApiToken, str]:
    return issue_token(organization_of(bob), Role.POLICE_OFFICER)


@pytest.fixture
def caseload(bridgeway, alice, site_b) -> dict[str, Person]:
    """People of site A in every state the API distinguishes, and one person of site B."""
    harbor = OrganizationFactory(site=bridgeway.site, name="Harbor Outreach")
    held = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Quintero")
    PersonNameFactory(person=held, given_name="Ro")
    EnrollmentFactory(person=held, provider=bridgeway, case_manager=alice)
    held_too = PersonFactory(site=bridgeway.site, given_name="Luis", family_name="Tran")
    EnrollmentFactory(person=held_too, provider=bridgeway, status=Enrollment.Status.INACTIVE)
    elsewhere = PersonFactory(site=bridgeway.site, given_name="Ada", family_name="Okafor")
    EnrollmentFactory(person=elsewhere, provider=harbor)
    not_enrolled = PersonFactory(
        site=bridgeway.site, given_name="", family_name="", preferred_name="Smiley"
    )
    EnrollmentFactory(person=not_enrolled, provider=bridgeway, status=Enrollment.Status.EXITED)
    other_site = PersonFactory(site=site_b, given_name="Deborah", family_name="Yazzie")
    return {
        "held": held,
        "held_too": held_too,
        "elsewhere": elsewhere,
        "not_enrolled": not_enrolled,
        "other_site": other_site,
    }
