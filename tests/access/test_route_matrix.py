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
from django.utils import timezone
from PIL import Image

from tandem.access.roles import CASE_MANAGEMENT_ROLES, POLICE_ROLES, Role
from tandem.access.viewer import Viewer
from tandem.accounts.services import api_token_issue
from tandem.audit.models import AuditEvent
from tandem.casework.models import Contact
from tandem.casework.support.tests.factories import support_scene
from tandem.casework.tests.factories import casework_scene
from tandem.consent.models import Consent
from tandem.legal.models import DivertedChargeHold
from tandem.legal.tests.factories import legal_scene
from tandem.notify.models import Notification
from tandem.notify.tests.factories import NotificationFactory
from tandem.people.merging import person_merge
from tandem.people.models import DuplicateCandidate, Person, PersonMerge
from tandem.people.services import person_photo_set
from tandem.policy.tests.factories import PolicyVersionFactory
from tandem.referrals.services import Conduct, Subject, referral_submit
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    ContactNoticeFactory,
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
# Legal: a prosecutor works their office's holds and the project manager reads them all;
# prosecutors and defenders see the participants whose release names their organisation;
# the team holding a participant writes the status for legal partners and letters.
HOLD_READERS = frozenset({Role.PROSECUTOR, Role.PROJECT_MANAGER})
LEGAL_PARTNERS = frozenset({Role.PROSECUTOR, Role.DEFENDER})
LEGAL_WRITERS = CASE_MANAGEMENT_ROLES
# The eligibility policy: the site administrator keeps it; the project manager and the PCG read it.
POLICY_READERS = frozenset({Role.SITE_ADMIN, Role.PROJECT_MANAGER, Role.PCG_MEMBER})
POLICY_MANAGERS = frozenset({Role.SITE_ADMIN})
# Referrals: police refer; the LEAD team (case management and project office) works them.
# The scene's referral was made by its officer, whose sergeant belongs to another department.
REFERRAL_WORKERS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
REFERRAL_READERS = REFERRAL_WORKERS | {Role.POLICE_OFFICER}
# Casework: the holding team works it; the project office reads it (no Part 2 holder here);
# a supervisor assigns. The timeline opens like the person's page.
CASEWORK_READERS = CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER}
CASEWORK_WRITERS = CASE_MANAGEMENT_ROLES
# Casework support: the intake belongs to the provider doing it (the holding team here);
# expenses are financial (the holding team only); a supervisor keeps the funds; the
# service directory is read by the team and the project office.
SUPPORT_SUPERVISORS = frozenset({Role.CM_SUPERVISOR})

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
    "consent:notices": ("GET", CASE_MANAGEMENT_ROLES),
    "consent:notice_seen": ("POST", CASE_MANAGEMENT_ROLES),
    "consent:disclosures": ("GET", CONSENT_RECORDERS),
    "access:matrix": ("GET", SITE_ADMINS),
    # The scene's hold is in the scene prosecutor's office's queue.
    "legal:holds": ("GET", HOLD_READERS),
    "legal:hold": ("GET", HOLD_READERS),
    "legal:hold_dispose": ("POST", frozenset({Role.PROSECUTOR})),
    "legal:participants": ("GET", LEGAL_PARTNERS),
    # The scene's legal participant's release names the prosecutor's and defender's offices.
    "legal:participant": ("GET", LEGAL_PARTNERS),
    "legal:status_create": ("GET", LEGAL_WRITERS),
    "legal:letter_create": ("GET", LEGAL_WRITERS),
    "legal:letter": ("GET", LEGAL_WRITERS),
    "referrals:queue": ("GET", REFERRAL_WORKERS | POLICE_ROLES),
    "referrals:new": ("GET", POLICE_ROLES),
    "referrals:preview": ("POST", POLICE_ROLES),
    "referrals:on_call": ("GET", frozenset({Role.CM_SUPERVISOR, Role.PROJECT_MANAGER})),
    "referrals:detail": ("GET", REFERRAL_READERS),
    "referrals:candidates": ("GET", REFERRAL_WORKERS),
    "referrals:screen": ("GET", REFERRAL_WORKERS),
    # The scene's policy makes sergeants and the project manager approvers.
    "referrals:decide": ("POST", frozenset({Role.PROJECT_MANAGER})),
    "referrals:handoff": ("POST", REFERRAL_WORKERS),
    "referrals:move": ("POST", REFERRAL_WORKERS),
    "referrals:link": ("POST", REFERRAL_WORKERS),
    # The public referral form: no sign-in at all (the scene's policy opens the door).
    "referrals:public": ("GET", ALL),
    "referrals:public_thanks": ("GET", ALL),
    "policy:list": ("GET", POLICY_READERS),
    "policy:create": ("GET", POLICY_MANAGERS),
    "policy:detail": ("GET", POLICY_READERS),
    "policy:document": ("GET", POLICY_READERS),
    "notify:inbox": ("GET", ALL),
    "notify:read_all": ("POST", ALL),
    # The scene's notification is the case manager's own: nobody else may open it.
    "notify:read": ("POST", frozenset({Role.CASE_MANAGER})),
    "casework:person": ("GET", CASEWORK_READERS),
    "casework:timeline": ("GET", PEOPLE_FINDERS),
    "casework:contact_new": ("GET", CASEWORK_WRITERS),
    "casework:contact_correct": ("GET", CASEWORK_WRITERS),
    "casework:contact_remove": ("POST", CASEWORK_WRITERS),
    "casework:reengage": ("POST", CASEWORK_WRITERS),
    "casework:exit": ("GET", CASEWORK_WRITERS),
    "casework:assign": ("POST", frozenset({Role.CM_SUPERVISOR})),
    "casework:task_add": ("POST", CASEWORK_WRITERS),
    "casework:task_done": ("POST", CASEWORK_WRITERS),
    "casework:outreach": ("GET", CASE_MANAGEMENT_ROLES),
    "casework:caseloads": ("GET", frozenset({Role.CM_SUPERVISOR})),
    "casework_support:intake": ("GET", CASEWORK_WRITERS),
    "casework_support:intake_start": ("POST", CASEWORK_WRITERS),
    "casework_support:intake_domain": ("GET", CASEWORK_WRITERS),
    "casework_support:intake_release": ("GET", CASEWORK_WRITERS),
    "casework_support:intake_declined": ("POST", CASEWORK_WRITERS),
    "casework_support:intake_baseline": ("GET", CASEWORK_WRITERS),
    "casework_support:intake_complete": ("POST", CASEWORK_WRITERS),
    "casework_support:assessment": ("GET", CASEWORK_READERS),
    "casework_support:plan": ("GET", CASEWORK_READERS),
    "casework_support:goal_change": ("POST", CASEWORK_WRITERS),
    "casework_support:step_add": ("POST", CASEWORK_WRITERS),
    "casework_support:note_add": ("POST", CASEWORK_WRITERS),
    "casework_support:step_done": ("POST", CASEWORK_WRITERS),
    "casework_support:services": ("GET", CASEWORK_READERS),
    "casework_support:link_update": ("POST", CASEWORK_WRITERS),
    "casework_support:providers": ("GET", CASEWORK_READERS),
    "casework_support:expenses": ("GET", CASEWORK_WRITERS),
    "casework_support:receipt": ("GET", CASEWORK_WRITERS),
    "casework_support:expense_decide": ("POST", SUPPORT_SUPERVISORS),
    "casework_support:funds": ("GET", CASEWORK_WRITERS),
    "casework_support:approvals": ("GET", SUPPORT_SUPERVISORS),
    "casework_support:outcomes": ("GET", CASEWORK_READERS),
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
    "consent:disclosures",
    "legal:status_create",
    "legal:letter_create",
    "casework:person",
    "casework:timeline",
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
    "consent:notice_seen": ("notice",),
    "legal:hold": ("hold",),
    "legal:hold_dispose": ("hold",),
    "legal:participant": ("legal_person",),
    "legal:letter": ("letter",),
    "policy:detail": ("policy_version",),
    "policy:document": ("policy_version",),
    "notify:read": ("notification",),
    "referrals:detail": ("referral",),
    "referrals:candidates": ("referral",),
    "referrals:screen": ("referral",),
    "referrals:decide": ("referral",),
    "referrals:link": ("referral",),
    "casework:contact_new": ("enrollment",),
    "casework:contact_correct": ("contact",),
    "casework:contact_remove": ("contact",),
    "casework:reengage": ("enrollment",),
    "casework:exit": ("enrollment",),
    "casework:assign": ("enrollment",),
    "casework:task_add": ("enrollment",),
    "casework:task_done": ("task",),
}
# Casework-support routes by the scene rows their address names. Kept out of PERSON_ROUTES
# and ROW_ROUTES, whose scenes the consent-state matrix builds; the app's own tests
# (tandem/casework/support/tests/test_access.py) cover them by Part 2 state, by provider
# and from another site.
SUPPORT_ROUTES = {
    "casework_support:plan": ("person",),
    "casework_support:services": ("person",),
    "casework_support:expenses": ("person",),
    "casework_support:outcomes": ("person",),
    "casework_support:intake": ("intake_referral",),
    "casework_support:intake_start": ("intake_referral",),
    "casework_support:intake_release": ("intake_referral",),
    "casework_support:intake_declined": ("intake_referral",),
    "casework_support:intake_baseline": ("intake_referral",),
    "casework_support:intake_complete": ("intake_referral",),
    "casework_support:assessment": ("assessment",),
    "casework_support:goal_change": ("goal",),
    "casework_support:step_add": ("goal",),
    "casework_support:note_add": ("goal",),
    "casework_support:step_done": ("plan_step",),
    "casework_support:link_update": ("service_link",),
    "casework_support:receipt": ("expense",),
    "casework_support:expense_decide": ("expense",),
}
# Pages anyone may open without signing in.
PUBLIC_ROUTES = frozenset({"referrals:public", "referrals:public_thanks"})
# A POST that answers with an htmx fragment, not a redirect.
FRAGMENT_POSTS = frozenset({"people:create_candidates", "referrals:preview"})


def post_data(name: str, scene) -> dict[str, object]:
    """What an allowed user would submit, so that an allowed POST succeeds (302)."""
    if name == "legal:hold_dispose":
        return {"disposition": "declined", "reason": "Intake completed"}
    if name == "referrals:decide":
        return {"decision": "approve", "reason": "Checked the record"}
    if name == "referrals:link":
        return {"person": "new"}
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
    if name == "casework:contact_remove":
        return {"reason": "Entered twice"}
    if name == "casework:assign":
        users = scene.get("users", {})
        case_manager = users.get(Role.CASE_MANAGER)
        return {"case_manager": str(case_manager.public_id) if case_manager else ""}
    if name == "casework:task_add":
        return {"title": "Bring the ID form"}
    if name == "casework_support:intake_declined":
        return {"reason": "Wants to think about it"}
    if name == "casework_support:intake_complete":
        return {"on": timezone.localdate().isoformat()}
    if name == "casework_support:goal_change":
        return {"status": "achieved"}
    if name == "casework_support:step_add":
        return {"text": "Bring the lease", "who": "participant"}
    if name == "casework_support:note_add":
        return {"text": "Saw two flats"}
    if name == "casework_support:link_update":
        return {"status": "connected", "on": timezone.localdate().isoformat()}
    if name == "casework_support:expense_decide":
        return {"decision": "void", "reason": "Entered twice"}
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
    enrollment = EnrollmentFactory(person=person, provider=provider)
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
    notice = ContactNoticeFactory(person=person, provider=provider)
    # A policy version with its PCG decision document.
    policy_version = PolicyVersionFactory(site=site, with_document=True)
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
    notification = NotificationFactory(site=site, recipient=users[Role.CASE_MANAGER])
    referral = referral_submit(
        actor=users[Role.POLICE_OFFICER],
        viewer=Viewer.from_membership(users[Role.POLICE_OFFICER].memberships.get()),
        door="arrest",
        subject=Subject(given_name="Rosa", family_name="Quintero"),
        conduct=Conduct(offence_codes=("RCW 9A.56.050",)),
        occurred_at=timezone.now(),
        location_text="3rd Ave",
    )
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
        "notice": notice,
        **legal_scene(site=site, provider=provider, person=person, users=users),
        **casework_scene(enrollment=enrollment, recorded_by=users[Role.CASE_MANAGER]),
        **support_scene(site=site, provider=provider, person=person, users=users),
        "policy_version": policy_version,
        "notification": notification,
        "referral": referral,
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
    if name in {"referrals:new", "referrals:preview"}:
        return reverse(name, args=["arrest"])
    if name == "referrals:handoff":
        return reverse(name, args=[scene["referral"].public_id, "accept"])
    if name == "referrals:move":
        return reverse(name, args=[scene["referral"].public_id, "not_located"])
    if name == "casework_support:intake_domain":
        return reverse(name, args=[scene["intake_referral"].public_id, "housing"])
    if name in SUPPORT_ROUTES:
        return reverse(name, args=[scene[row].public_id for row in SUPPORT_ROUTES[name]])
    if name in PUBLIC_ROUTES:
        return reverse(name, args=[scene["site"].slug])
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


@pytest.mark.parametrize("name", sorted(PUBLIC_ROUTES))
def test_public_pages_need_no_sign_in(client, scene, name):
    assert client.get(url_for(name, scene)).status_code == 200


@pytest.mark.parametrize("name", [name for name in MATRIX if name not in PUBLIC_ROUTES])
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
            "contact_notice.seen",
            "contact.logged",
            "contact.removed",
            "enrollment.assigned",
            "enrollment.reengaged",
            "task.added",
            "task.done",
        ]
    ).exists()
    assert Contact.objects.get(pk=scene["contact"].pk).removed_at is None
    assert Consent.objects.get(pk=scene["consent"].pk).revoked_at is None
    assert DivertedChargeHold.objects.get(pk=scene["hold"].pk).is_open
    assert Notification.objects.get(pk=scene["notification"].pk).read_at is None
    assert Person.objects.get(pk=scene["person"].pk).photo
    assert PersonMerge.objects.filter(undone_at__isnull=True).count() == 1
    assert DuplicateCandidate.objects.get(pk=scene["candidate"].pk).status == "open"
