"""Every route of the site by every role, with the answer each must get (DESIGN.md §4).

The matrix is built from the URL configuration: a route that is not listed here fails the
suite, so no new page can ship without someone deciding who may open it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from tandem.access.roles import CASE_MANAGEMENT_ROLES, POLICE_ROLES, Role
from tandem.accounts.services import api_token_issue
from tandem.audit.models import AuditEvent
from tandem.consent.models import Consent
from tandem.people.merging import person_merge
from tandem.people.models import DuplicateCandidate, Person, PersonMerge
from tandem.people.services import person_photo_set
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    IdentifierFactory,
    OrganizationFactory,
    PersonFactory,
    PersonNameFactory,
    SiteFactory,
    add_totp,
    duplicate_candidate,
    member,
    sign_in,
)

ALL = frozenset(Role)
PEOPLE_FINDERS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
PEOPLE_EDITORS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
DUPLICATE_REVIEWERS = frozenset({Role.PROJECT_MANAGER})
SITE_ADMINS = frozenset({Role.SITE_ADMIN})
# A release is casework: the holding team and the project manager read it; the team records.
CONSENT_READERS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
CONSENT_RECORDERS = CASE_MANAGEMENT_ROLES

# route name -> (method, roles answered 200 (or 302 for a POST), everyone else gets 404)
MATRIX: dict[str, tuple[str, frozenset[Role]]] = {
    "core:home": ("GET", ALL),
    "tenancy:choose": ("GET", ALL),
    "people:list": ("GET", PEOPLE_FINDERS),
    # Police and legal partners need a release of information naming them (none yet).
    "people:detail": ("GET", PEOPLE_FINDERS),
    "people:history": ("GET", PEOPLE_FINDERS),
    "people:photo": ("GET", PEOPLE_FINDERS),
    "people:create": ("GET", PEOPLE_EDITORS),
    "people:create_candidates": ("POST", PEOPLE_EDITORS),
    "people:edit": ("GET", PEOPLE_EDITORS),
    "people:name_add": ("POST", PEOPLE_EDITORS),
    "people:name_remove": ("POST", PEOPLE_EDITORS),
    "people:identifier_add": ("POST", PEOPLE_EDITORS),
    "people:identifier_remove": ("POST", PEOPLE_EDITORS),
    "people:photo_upload": ("POST", PEOPLE_EDITORS),
    "people:photo_clear": ("POST", PEOPLE_EDITORS),
    "people:duplicates": ("GET", DUPLICATE_REVIEWERS),
    "people:duplicates_scan": ("POST", DUPLICATE_REVIEWERS),
    "people:duplicate": ("GET", DUPLICATE_REVIEWERS),
    "people:duplicate_merge": ("POST", DUPLICATE_REVIEWERS),
    "people:duplicate_reject": ("POST", DUPLICATE_REVIEWERS),
    "people:merges": ("GET", DUPLICATE_REVIEWERS),
    "people:unmerge": ("POST", DUPLICATE_REVIEWERS),
    "audit:log": ("GET", frozenset({Role.SITE_ADMIN})),
    "api_tokens:list": ("GET", frozenset({Role.SITE_ADMIN})),
    "api_tokens:revoke": ("POST", frozenset({Role.SITE_ADMIN})),
    "tenancy:members": ("GET", SITE_ADMINS),
    "tenancy:member_deactivate": ("POST", SITE_ADMINS),
    "tenancy:member_reactivate": ("POST", SITE_ADMINS),
    "tenancy:member_unlock": ("POST", SITE_ADMINS),
    "tenancy:member_password_link": ("POST", SITE_ADMINS),
    "consent:list": ("GET", CONSENT_READERS),
    "consent:create": ("GET", CONSENT_RECORDERS),
    "consent:detail": ("GET", CONSENT_READERS),
    "consent:signature": ("GET", CONSENT_READERS),
    "consent:revoke": ("POST", CONSENT_RECORDERS),
    "consent:lookup": ("GET", POLICE_ROLES),
}

# Routes that act on one membership of the scene's site, by its public id.
MEMBER_ROUTES = [
    "tenancy:member_deactivate",
    "tenancy:member_reactivate",
    "tenancy:member_unlock",
    "tenancy:member_password_link",
]

# Routes that act on the scene's person, by its public id.
PERSON_ROUTES = [
    "people:detail",
    "people:history",
    "people:photo",
    "people:edit",
    "people:name_add",
    "people:identifier_add",
    "people:photo_upload",
    "people:photo_clear",
    "consent:list",
    "consent:create",
]
# Routes that act on a row of the scene by its public id, after the person's (if any).
ROW_ROUTES = {
    "people:name_remove": ("person", "name"),
    "people:identifier_remove": ("person", "identifier"),
    "people:duplicate": ("candidate",),
    "people:duplicate_merge": ("candidate",),
    "people:duplicate_reject": ("candidate",),
    "people:unmerge": ("merge",),
    "consent:detail": ("consent",),
    "consent:signature": ("consent",),
    "consent:revoke": ("consent",),
}
# A POST that answers with an htmx fragment, not a redirect.
FRAGMENT_POSTS = frozenset({"people:create_candidates"})


def post_data(name: str, scene) -> dict[str, object]:
    """What an allowed user would submit, so that an allowed POST succeeds (302)."""
    if name == "people:name_add":
        return {"kind": "alias", "given_name": "Sam"}
    if name == "people:identifier_add":
        return {"kind": "booking", "value": "B-2026-77"}
    if name == "people:photo_upload":
        return {"photo": photo_file()}
    if name == "people:duplicate_merge":
        return {"survivor": str(scene["person"].public_id), "reason": "Same person"}
    if name == "people:unmerge":
        return {"reason": "Two different people", "confirm": "on"}
    if name == "people:create_candidates":
        return {"given_name": "Rosa", "family_name": "Quintero"}
    if name == "consent:revoke":
        return {"reason": "Participant withdrew"}
    return {}


def photo_file() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


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
def scene(db, settings, tmp_path):
    """One site with a member of every role; the case-management roles work for the
    provider that holds the person's enrollment. The person has a name, an identifier and
    a photo; a likely duplicate of them waits in the queue, and two others were merged."""
    settings.MEDIA_ROOT = tmp_path / "media"
    site = SiteFactory()
    provider = OrganizationFactory(site=site, kind="case_management", name="Holding provider")
    person = PersonFactory(site=site)
    EnrollmentFactory(person=person, provider=provider)
    name = PersonNameFactory(person=person)
    identifier = IdentifierFactory(person=person)
    person_photo_set(actor=None, person=person, photo=photo_file())
    candidate = duplicate_candidate(person, PersonFactory(site=site))
    merge = person_merge(
        actor=None,
        survivor=PersonFactory(site=site),
        merged=PersonFactory(site=site),
        reason="Same person",
    )
    # A release naming an agency none of the scene's members belongs to.
    consent = ConsentFactory(person=person, recorded_by_organization=provider)
    ConsentGrantFactory(consent=consent)
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
        "name": name,
        "identifier": identifier,
        "candidate": candidate,
        "merge": merge,
        "users": users,
        "token": token,
        "membership": membership,
        "consent": consent,
    }


def url_for(name: str, scene) -> str:
    from django.urls import reverse

    if name in PERSON_ROUTES:
        return reverse(name, args=[scene["person"].public_id])
    if name in ROW_ROUTES:
        return reverse(name, args=[scene[row].public_id for row in ROW_ROUTES[name]])
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
    response = client.post(url, post_data(name, scene)) if method == "POST" else client.get(url)

    if role in allowed:
        redirects = method == "POST" and name not in FRAGMENT_POSTS
        assert response.status_code == (302 if redirects else 200)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", list(MATRIX))
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, name):
    method, _ = MATRIX[name]
    url = url_for(name, scene)

    response = client.post(url) if method == "POST" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", [*PERSON_ROUTES, *ROW_ROUTES, "api_tokens:revoke", *MEMBER_ROUTES])
@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SITE_ADMIN, Role.PROJECT_MANAGER])
def test_the_same_role_at_another_site_gets_404(client, scene, name, role):
    outsider = member(role, site=SiteFactory())
    add_totp(outsider)
    sign_in(client, outsider)
    method, _ = MATRIX[name]

    url = url_for(name, scene)
    response = client.post(url, post_data(name, scene)) if method == "POST" else client.get(url)

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
            "person.updated",
            "person.name_added",
            "person.name_removed",
            "person.identifier_added",
            "person.identifier_removed",
            "person.photo_cleared",
            "duplicate.rejected",
            "person.unmerged",
            "consent.revoked",
        ]
    ).exists()
    assert Consent.objects.get(pk=scene["consent"].pk).revoked_at is None
    assert Person.objects.get(pk=scene["person"].pk).photo
    assert PersonMerge.objects.filter(undone_at__isnull=True).count() == 1
    assert DuplicateCandidate.objects.get(pk=scene["candidate"].pk).status == "open"
