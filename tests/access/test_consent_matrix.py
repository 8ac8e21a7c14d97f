"""Every person-scoped route by every role by consent state (issue 6): none, a current
release, an expired one, a revoked one, a Part 2 programme whose own release does not name
the viewer's organisation, and one whose release does. Plus a case manager of another site
(404 everywhere) and another provider's case manager (who knows who a participant is and
whom to call, and nothing more).

The routes come from tests/access/test_route_matrix.py (PERSON_ROUTES, ROW_ROUTES), so a new
person route fails here until someone says what it needs. The expected answers are derived
from DESIGN.md §4's defaults written down again below, independently of `decide()`.

Each answer is also checked against the Part 2 disclosure ledger: a page that shows the
Part 2 programme (its name is the tell) to someone outside it must carry the 42 CFR 2.32
notice and write a `Disclosure` row; a request that wrote one must carry the notice."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.roles import (
    AGGREGATE_ONLY_ROLES,
    CASE_MANAGEMENT_ROLES,
    LEGAL_ROLES,
    POLICE_ROLES,
    Category,
    Role,
)
from tandem.audit.disclosures import PART2_HEADER, PART2_STATEMENT
from tandem.audit.models import Disclosure
from tandem.casework.tests.factories import casework_scene
from tandem.consent.models import Consent
from tandem.legal.tests.factories import LegalStatusSummaryFactory, LetterFactory
from tandem.people.merging import person_merge
from tandem.people.services import person_photo_set
from tests.access.test_route_matrix import (
    CASEWORK_READERS,
    CASEWORK_WRITERS,
    CONSENT_READERS,
    CONSENT_RECORDERS,
    DUPLICATE_REVIEWERS,
    FRAGMENT_POSTS,
    LEGAL_PARTNERS,
    LEGAL_WRITERS,
    MATRIX,
    PEOPLE_EDITORS,
    PERSON_ROUTES,
    ROW_ROUTES,
    photo_file,
    post_data,
)
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

ALL_CATEGORIES = frozenset(Category)
STATES = ("none", "current", "expired", "revoked", "part2_not_naming", "part2_naming")
PART2_STATES = frozenset({"part2_not_naming", "part2_naming"})
# States in which a release the decision may rely on names the viewer's organisation.
COVERED_STATES = frozenset({"current", "part2_naming"})
PROGRAMME = "Harbour Recovery"

# Personas beyond the roles of the scene's site.
OTHER_SITE = "other_site_case_manager"
OTHER_PROVIDER = "other_provider_case_manager"
PERSONAS = [*Role, OTHER_SITE, OTHER_PROVIDER]

# What a release may grant each kind of organisation (the recording form offers no more).
GRANTABLE = {
    "police": ["enrollment", "identity"],
    "prosecutor": ["enrollment", "identity", "legal"],
    "defender": ["enrollment", "identity", "legal"],
}


def visible(persona: Role | str, state: str, *, releases_count: bool = True) -> frozenset[Category]:
    """DESIGN.md §4, written out: what `persona` sees of a participant in `state`. The holding
    team sees everything; another provider's team who and whom to call; the project manager
    enrollment, identity, casework and legal site-wide; police and legal partners their
    share only under a current release naming them; aggregate roles nothing. A Part 2
    programme's participant shows only who they are outside it, unless the programme's own
    release names the viewer. `releases_count=False`: a page whose selector does not read
    releases at all (so no release can open it)."""
    if persona == OTHER_SITE:
        return frozenset()
    covered = releases_count and state in COVERED_STATES
    part2_closed = state in PART2_STATES and not covered
    if persona == OTHER_PROVIDER:
        if part2_closed:
            return frozenset({Category.IDENTITY})
        return frozenset({Category.IDENTITY, Category.ENROLLMENT})
    role = Role(persona)
    if role in AGGREGATE_ONLY_ROLES:
        return frozenset()
    if role in CASE_MANAGEMENT_ROLES:
        return ALL_CATEGORIES  # the personas are the holding team in every state
    if role is Role.PROJECT_MANAGER:
        if part2_closed:
            return frozenset({Category.IDENTITY})
        return frozenset(
            {Category.ENROLLMENT, Category.IDENTITY, Category.CASEWORK, Category.LEGAL}
        )
    if role in POLICE_ROLES:
        return frozenset({Category.ENROLLMENT, Category.IDENTITY}) if covered else frozenset()
    if role in LEGAL_ROLES:
        if covered:
            return frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL})
        return frozenset()
    raise AssertionError(role)  # pragma: no cover


@dataclass(frozen=True)
class Need:
    """Who may try a route (their role's capability), and which categories of the person
    they must see: any one of `any_of`, and all of `all_of`."""

    roles: frozenset[Role]
    any_of: frozenset[Category] = frozenset()
    all_of: frozenset[Category] = frozenset()
    # False for pages whose selector never reads releases: they show more than the minimal
    # identity police and legal partners could be granted (aliases, identifiers, history).
    releases_count: bool = True
    rows: tuple[str, ...] = field(default=())

    def met(self, persona: Role | str, state: str) -> bool:
        role = Role.CASE_MANAGER if persona in (OTHER_SITE, OTHER_PROVIDER) else Role(persona)
        if role not in self.roles:
            return False
        seen = visible(persona, state, releases_count=self.releases_count)
        return (not self.any_of or bool(seen & self.any_of)) and self.all_of <= seen


ANYONE = frozenset(Role)
IDENTITY = frozenset({Category.IDENTITY})
EDIT = Need(PEOPLE_EDITORS, all_of=IDENTITY, releases_count=False)
NEEDS: dict[str, Need] = {
    "people:detail": Need(ANYONE, any_of=frozenset({Category.IDENTITY, Category.ENROLLMENT})),
    "people:history": Need(ANYONE, all_of=IDENTITY, releases_count=False),
    "people:photo": Need(ANYONE, all_of=IDENTITY, releases_count=False, rows=("photo",)),
    "people:edit": EDIT,
    "people:name_add": EDIT,
    "people:identifier_add": EDIT,
    "people:photo_upload": EDIT,
    "people:photo_clear": Need(
        PEOPLE_EDITORS, all_of=IDENTITY, releases_count=False, rows=("photo",)
    ),
    "people:name_remove": EDIT,
    "people:identifier_remove": EDIT,
    # The reviewer must see who both records are; the twin is enrolled nowhere.
    "people:duplicate": Need(DUPLICATE_REVIEWERS, all_of=IDENTITY),
    "people:duplicate_merge": Need(DUPLICATE_REVIEWERS, all_of=IDENTITY),
    "people:duplicate_reject": Need(DUPLICATE_REVIEWERS, all_of=IDENTITY),
    # Undoing a merge is the reviewer's, whoever the people are.
    "people:unmerge": Need(DUPLICATE_REVIEWERS),
    # A release is casework.
    "consent:list": Need(CONSENT_READERS, all_of=frozenset({Category.CASEWORK})),
    "consent:create": Need(CONSENT_RECORDERS, all_of=frozenset({Category.CASEWORK})),
    "consent:detail": Need(CONSENT_READERS, all_of=frozenset({Category.CASEWORK})),
    "consent:signature": Need(CONSENT_READERS, all_of=frozenset({Category.CASEWORK})),
    "consent:revoke": Need(CONSENT_RECORDERS, all_of=frozenset({Category.CASEWORK})),
    "consent:disclosures": Need(CONSENT_RECORDERS, all_of=frozenset({Category.CASEWORK})),
    # A contact notice says where the person was: the holding team's only.
    "consent:notice_seen": Need(
        CASE_MANAGEMENT_ROLES, all_of=frozenset({Category.IDENTITY, Category.WHEREABOUTS})
    ),
    "legal:status_create": Need(LEGAL_WRITERS, all_of=frozenset({Category.LEGAL})),
    "legal:letter_create": Need(LEGAL_WRITERS, all_of=frozenset({Category.LEGAL})),
    "legal:letter": Need(LEGAL_WRITERS, all_of=frozenset({Category.LEGAL})),
    "legal:participant": Need(LEGAL_PARTNERS, all_of=frozenset({Category.LEGAL})),
    # Casework: the holding team works it; the project office reads it (a Part 2
    # programme's only under its own release naming the office). The timeline opens like
    # the person's page and shows each entry by its own category.
    "casework:person": Need(CASEWORK_READERS, all_of=frozenset({Category.CASEWORK})),
    "casework:timeline": Need(ANYONE, any_of=frozenset({Category.IDENTITY, Category.ENROLLMENT})),
    **dict.fromkeys(
        [
            "casework:contact_new",
            "casework:contact_correct",
            "casework:contact_remove",
            "casework:reengage",
            "casework:exit",
            "casework:task_add",
            "casework:task_done",
        ],
        Need(CASEWORK_WRITERS, all_of=frozenset({Category.CASEWORK})),
    ),
    "casework:assign": Need(frozenset({Role.CM_SUPERVISOR}), all_of=frozenset({Category.CASEWORK})),
}
# Row routes that act on something other than a participant's record, so no release of
# theirs changes the answer (tests/access/test_route_matrix.py covers them by role).
NOT_PERSON_SCOPED = {
    # A hold is the prosecutor's office's own record of its charge.
    "legal:hold": "the prosecutor's office's own hold",
    "legal:hold_dispose": "the prosecutor's office's own hold",
    "policy:detail": "site configuration",
    "policy:document": "site configuration",
    "notify:read": "the recipient's own notification",
    "referrals:detail": "a referral, scoped by who made it",
    "referrals:candidates": "a referral, scoped by who made it",
    "referrals:screen": "a referral, scoped by who made it",
    "referrals:decide": "a referral, scoped by who made it",
    "referrals:link": "a referral, scoped by who made it",
}
ROUTES = [name for name in [*PERSON_ROUTES, *ROW_ROUTES] if name not in NOT_PERSON_SCOPED]


def test_every_person_scoped_route_says_what_it_needs():
    routes = set(PERSON_ROUTES) | set(ROW_ROUTES)

    assert routes == set(NEEDS) | set(NOT_PERSON_SCOPED), (
        "Say in NEEDS what a person-scoped route needs (or why it is not person-scoped): "
        f"missing {sorted(routes - set(NEEDS) - set(NOT_PERSON_SCOPED))}, "
        f"stale {sorted((set(NEEDS) | set(NOT_PERSON_SCOPED)) - routes)}"
    )


# The state of the route matrix scene's row, where it is not "none".
ROUTE_MATRIX_STATES = {
    # Its legal participant's release names the prosecutor's and defender's offices.
    "legal:participant": "current",
}


def test_the_expectations_agree_with_the_route_matrix_where_they_meet():
    # The route matrix's scene: its release names no agency of the scene (state "none"),
    # and the case-management roles hold the person. Both files must tell the same story.
    for name in ROUTES:
        _, allowed = MATRIX[name]
        state = ROUTE_MATRIX_STATES.get(name, "none")
        expected = {role for role in Role if NEEDS[name].met(role, state)}
        assert expected == set(allowed), name


# The scene ---------------------------------------------------------------------------------


@dataclass
class Scene:
    people: dict[str, Any]
    rows: dict[str, dict[str, Any]]
    users: dict[str, Any]  # by state: who signs in


def _release(person, recorder, recipient, categories, state):
    today = timezone.localdate()
    dates = {"effective_on": today - dt.timedelta(days=30)}
    dates["expires_on"] = today + dt.timedelta(days=300)
    if state == "expired":
        dates = {
            "effective_on": today - dt.timedelta(days=400),
            "expires_on": today - dt.timedelta(days=1),
        }
    consent = ConsentFactory(person=person, recorded_by_organization=recorder, **dates)
    ConsentGrantFactory(consent=consent, organization=recipient, categories=categories)
    if state == "revoked":
        Consent.objects.filter(pk=consent.pk).update(revoked_at=timezone.now())
    return consent


def build(persona: Role | str, rows: tuple[str, ...]) -> Scene:
    """A site with a non-Part 2 provider and a Part 2 programme, and one participant per
    consent state (held by the programme in the Part 2 states), each with `rows`. Releases
    name the persona's organisation for all it may receive."""
    site = SiteFactory()
    provider = OrganizationFactory(site=site, kind="case_management", name="Bridgeway")
    programme = OrganizationFactory(
        site=site, kind="case_management", name=PROGRAMME, is_part2_program=True
    )
    elsewhere = OrganizationFactory(site=site, kind="case_management", name="Elsewhere")
    bystander = OrganizationFactory(site=site, kind="police", name="Unrelated agency")

    def signed_up(user):
        add_totp(user)
        return user

    if persona == OTHER_SITE:
        user = signed_up(member(Role.CASE_MANAGER, site=SiteFactory()))
        recipient = elsewhere
        users = dict.fromkeys(STATES, user)
    elif persona == OTHER_PROVIDER:
        user = signed_up(member(Role.CASE_MANAGER, organization=elsewhere))
        recipient = elsewhere
        users = dict.fromkeys(STATES, user)
    elif Role(persona) in CASE_MANAGEMENT_ROLES:
        # The holding team: Bridgeway's, and the programme's in the Part 2 states.
        team = {
            provider.pk: signed_up(member(Role(persona), organization=provider)),
            programme.pk: signed_up(member(Role(persona), organization=programme)),
        }
        recipient = elsewhere
        users = {s: team[(programme if s in PART2_STATES else provider).pk] for s in STATES}
    else:
        user = signed_up(member(Role(persona), site=site))
        recipient = user.memberships.get().organization
        users = dict.fromkeys(STATES, user)
    categories = GRANTABLE.get(recipient.kind, sorted(Category.values))
    people, scene_rows = {}, {}
    for state in STATES:
        holder = programme if state in PART2_STATES else provider
        person = PersonFactory(site=site, family_name=f"State-{state}")
        enrollment = EnrollmentFactory(person=person, provider=holder)
        if state == "none":
            consent = _release(person, holder, bystander, ["enrollment"], state)
        elif state == "part2_not_naming":
            # Bridgeway's release names the viewer; the programme's own names someone else.
            _release(person, provider, recipient, categories, state)
            consent = _release(person, programme, bystander, ["enrollment"], state)
        else:
            consent = _release(person, holder, recipient, categories, state)
        made: dict[str, Any] = {"person": person, "consent": consent, "legal_person": person}
        if "name" in rows:
            made["name"] = PersonNameFactory(person=person)
        if "identifier" in rows:
            made["identifier"] = IdentifierFactory(person=person)
        if "photo" in rows:
            person_photo_set(actor=None, person=person, photo=photo_file())
        if "candidate" in rows:
            made["candidate"] = duplicate_candidate(person, PersonFactory(site=site))
        if "merge" in rows:
            made["merge"] = person_merge(
                actor=None, survivor=person, merged=PersonFactory(site=site), reason="Same"
            )
        if "notice" in rows:
            made["notice"] = ContactNoticeFactory(person=person, provider=holder)
        if {"enrollment", "contact", "task"} & set(rows):
            made.update(casework_scene(enrollment=enrollment))
        if "letter" in rows:
            summary = LegalStatusSummaryFactory(person=person, written_by_organization=holder)
            made["letter"] = LetterFactory(summary=summary)
        people[state] = person
        scene_rows[state] = made
    return Scene(people=people, rows=scene_rows, users=users)


def rows_for(name: str) -> tuple[str, ...]:
    return tuple(ROW_ROUTES.get(name, ())) + NEEDS[name].rows


def url_for(name: str, made: dict[str, Any]) -> str:
    if name in PERSON_ROUTES:
        return reverse(name, args=[made["person"].public_id])
    return reverse(name, args=[made[row].public_id for row in ROW_ROUTES[name]])


def answer(client, name: str, made: dict[str, Any]):
    method, _ = MATRIX[name]
    url = url_for(name, made)
    if method == "POST":
        data = post_data(name, {"person": made["person"]})
        if name == "people:identifier_add":
            # An identifier is unique at a site: one for each state's person.
            data["value"] = f"B-{made['person'].pk}"
        return client.post(url, data)
    return client.get(url)


def expected_status(name: str, persona: Role | str, state: str) -> int:
    if not NEEDS[name].met(persona, state):
        return 404
    if MATRIX[name][0] == "POST" and name not in FRAGMENT_POSTS:
        return 302
    return 200


def shown_text(response) -> str:
    """What a page shows of the participant: its text without its forms, whose choices list
    the site's organisations (the programme among them) whoever the person is."""
    if not response.get("Content-Type", "").startswith("text/"):
        return ""
    return re.sub(r"<form\b.*?</form>", "", response.content.decode(), flags=re.DOTALL)


def carries_notice(response) -> bool:
    if response.get(PART2_HEADER):
        return True
    content_type = response.get("Content-Type", "")
    return content_type.startswith("text/") and PART2_STATEMENT in response.content.decode()


CASES = [(name, persona) for name in ROUTES for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_each_state_gets_the_answer_the_defaults_give(
    client, db, settings, tmp_path, name, persona
):
    settings.MEDIA_ROOT = tmp_path / "media"
    scene = build(persona, rows_for(name))
    answers = {}
    for state in STATES:
        sign_in(client, scene.users[state])
        before = Disclosure.objects.count()

        response = answer(client, name, scene.rows[state])

        answers[state] = response.status_code
        wrote = Disclosure.objects.count() - before
        shows_programme = response.status_code == 200 and PROGRAMME in shown_text(response)
        outside = scene.users[state].memberships.get().organization.name != PROGRAMME
        if shows_programme and outside:
            # The programme's information left it: the ledger and the notice, every time.
            assert wrote, f"{name} showed {persona} the Part 2 programme without a Disclosure"
            assert carries_notice(response), f"{name} showed the Part 2 programme, no notice"
        if wrote:
            assert state == "part2_naming", f"{name} wrote a Disclosure in state {state}"
            assert outside
            assert carries_notice(response), f"{name} wrote a Disclosure without the notice"
        elif response.status_code in (200, 302):
            assert not carries_notice(response), f"{name} carried a notice without a Disclosure"
    expected = {state: expected_status(name, persona, state) for state in STATES}
    assert answers == expected
