"""Every route of the site by every role, with the answer each must get (DESIGN.md §4).

The matrix is built from the URL configuration: a route that is not listed here fails the
suite, so no new page can ship without someone deciding who may open it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.access.roles import CASE_MANAGEMENT_ROLES, Role
from tandem.accounts.services import api_token_issue
from tandem.audit.models import AuditEvent
from tandem.tenancy.models import Membership
from tests.factories import (
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    add_totp,
    member,
    sign_in,
)

ALL = frozenset(Role)
PEOPLE_FINDERS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
SITE_ADMINS = frozenset({Role.SITE_ADMIN})

# route name -> (method, roles answered 200 (or 302 for a POST), everyone else gets 404)
MATRIX: dict[str, tuple[str, frozenset[Role]]] = {
    "core:home": ("GET", ALL),
    "tenancy:choose": ("GET", ALL),
    "people:list": ("GET", PEOPLE_FINDERS),
    # Police and legal partners need a release of information naming them (none yet).
    "people:detail": ("GET", PEOPLE_FINDERS),
    "audit:log": ("GET", frozenset({Role.SITE_ADMIN})),
    "api_tokens:list": ("GET", frozenset({Role.SITE_ADMIN})),
    "api_tokens:revoke": ("POST", frozenset({Role.SITE_ADMIN})),
    "tenancy:members": ("GET", SITE_ADMINS),
    "tenancy:member_deactivate": ("POST", SITE_ADMINS),
    "tenancy:member_reactivate": ("POST", SITE_ADMINS),
    "tenancy:member_unlock": ("POST", SITE_ADMINS),
    "tenancy:member_password_link": ("POST", SITE_ADMINS),
}

# Routes that act on one membership of the scene's site, by its public id.
MEMBER_ROUTES = [
    "tenancy:member_deactivate",
    "tenancy:member_reactivate",
    "tenancy:member_unlock",
    "tenancy:member_password_link",
]

# Routes that are not site pages: the sign-in flow (django-allauth, tested in
# tandem/accounts/tests and tests/e2e) and the API (tested in tests/api).
OUTSIDE_MATRIX_PREFIXES = ("account_", "mfa_", "api:")


def route_names(patterns=None, namespace: str = "") -> Iterator[str]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_route_is_in_the_matrix():
    names = set(route_names())
    site_routes = {name for name in names if not name.startswith(OUTSIDE_MATRIX_PREFIXES)}

    assert site_routes == set(MATRIX), (
        "Add each new route to MATRIX with the roles that may open it: "
        f"missing {sorted(site_routes - set(MATRIX))}, stale {sorted(set(MATRIX) - site_routes)}"
    )


@pytest.fixture
def scene(db):
    """One site with a member of every role; the case-management roles work for the
    provider that holds the person's enrollment."""
    site = SiteFactory()
    provider = OrganizationFactory(site=site, kind="case_management", name="Holding provider")
    person = PersonFactory(site=site)
    EnrollmentFactory(person=person, provider=provider)
    users = {}
    for role in Role:
        organization = provider if role in CASE_MANAGEMENT_ROLES else None
        user = member(role, site=site, organization=organization)
        add_totp(user)
        users[role] = user
    admin = users[Role.SITE_ADMIN]
    police = OrganizationFactory(site=site, kind="police", name="Police")
    token, _ = api_token_issue(
        actor=admin, organization=police, role=Role.POLICE_OFFICER, name="Records"
    )
    membership = Membership.objects.get(user=users[Role.CASE_MANAGER])
    return {
        "site": site,
        "person": person,
        "users": users,
        "token": token,
        "membership": membership,
    }


def url_for(name: str, scene) -> str:
    from django.urls import reverse

    if name == "people:detail":
        return reverse(name, args=[scene["person"].public_id])
    if name == "api_tokens:revoke":
        return reverse(name, args=[scene["token"].public_id])
    if name in MEMBER_ROUTES:
        return reverse(name, args=[scene["membership"].public_id])
    return reverse(name)


CASES = [(name, role) for name in MATRIX for role in Role]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r.value}" for n, r in CASES])
def test_role_gets_the_answer_the_matrix_says(client, scene, name, role):
    method, allowed = MATRIX[name]
    sign_in(client, scene["users"][role])

    url = url_for(name, scene)
    response = client.post(url) if method == "POST" else client.get(url)

    if role in allowed:
        assert response.status_code == (302 if method == "POST" else 200)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", list(MATRIX))
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, name):
    method, _ = MATRIX[name]
    url = url_for(name, scene)

    response = client.post(url) if method == "POST" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["people:detail", "api_tokens:revoke", *MEMBER_ROUTES])
@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SITE_ADMIN, Role.PROJECT_MANAGER])
def test_the_same_role_at_another_site_gets_404(client, scene, name, role):
    outsider = member(role, site=SiteFactory())
    add_totp(outsider)
    sign_in(client, outsider)
    method, _ = MATRIX[name]

    url = url_for(name, scene)
    response = client.post(url) if method == "POST" else client.get(url)

    assert response.status_code == 404
    scene["token"].refresh_from_db()
    assert scene["token"].revoked_at is None
    scene["membership"].refresh_from_db()
    assert scene["membership"].is_active
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(
        action__in=[
            "membership.deactivated",
            "membership.reactivated",
            "auth.unlocked",
            "user.password_link_sent",
        ]
    ).exists()
