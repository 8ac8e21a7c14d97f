"""The consent check inside the one access decision, through the real query: every role
that depends on consent, by category, by consent state, gives allowed or not, with the
reason (DESIGN.md §4)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.utils import timezone

from tandem.access.decisions import Subject, decide
from tandem.access.roles import Category, Purpose, Role
from tandem.access.viewer import Viewer
from tandem.people.selectors import people_in_scope
from tandem.tenancy.models import Membership
from tests.factories import (
    ConsentFactory,
    ConsentGrantFactory,
    EnrollmentFactory,
    OrganizationFactory,
    PersonFactory,
    member,
)

POLICE_GRANT = frozenset({Category.ENROLLMENT, Category.IDENTITY})
LEGAL_GRANT = frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL})
ROLES = {
    Role.POLICE_OFFICER: ("police", POLICE_GRANT, Purpose.POLICE_LOOKUP),
    Role.POLICE_SERGEANT: ("police", POLICE_GRANT, Purpose.POLICE_LOOKUP),
    Role.PROSECUTOR: ("prosecutor", LEGAL_GRANT, Purpose.LEGAL_COORDINATION),
    Role.DEFENDER: ("defender", LEGAL_GRANT, Purpose.LEGAL_COORDINATION),
}
# state -> (does the viewer see what the release grants?, words of the refusal's reason)
STATES = {
    "none": (False, "No current release"),
    "current": (True, ""),
    "expired": (False, "No current release"),
    "revoked_one_organisation": (False, "No current release"),
    "revoked_all": (False, "No current release"),
    "not_yet_effective": (False, "No current release"),
    "part2_consent_not_naming_the_recipient": (False, "Part 2"),
    "part2_consent_naming_the_recipient": (True, ""),
}


def build(state: str, role: Role):
    """A participant held by a provider, a viewer in `role`, and releases in `state`."""
    kind, granted, _ = ROLES[role]
    part2 = state.startswith("part2")
    holder = OrganizationFactory(kind="case_management", is_part2_program=part2)
    site = holder.site
    person = PersonFactory(site=site)
    EnrollmentFactory(person=person, provider=holder)
    agency = OrganizationFactory(site=site, kind=kind)
    viewer = Viewer.from_membership(Membership.objects.get(user=member(role, organization=agency)))
    today = timezone.localdate()
    dates = {
        "effective_on": today - dt.timedelta(days=30),
        "expires_on": today + dt.timedelta(days=300),
    }
    categories = sorted(granted)
    if state == "none":
        return person, viewer
    if state == "expired":
        dates = {
            "effective_on": today - dt.timedelta(days=400),
            "expires_on": today - dt.timedelta(days=1),
        }
    if state == "not_yet_effective":
        dates = {
            "effective_on": today + dt.timedelta(days=1),
            "expires_on": today + dt.timedelta(days=300),
        }
    if state == "part2_consent_not_naming_the_recipient":
        # The programme's own consent names someone else; another provider's release names
        # the viewer, which does not unlock what the programme holds (42 CFR 2.31).
        programme = ConsentFactory(person=person, recorded_by_organization=holder, **dates)
        ConsentGrantFactory(consent=programme, categories=categories)
        other = OrganizationFactory(site=site, kind="case_management")
        outside = ConsentFactory(person=person, recorded_by_organization=other, **dates)
        ConsentGrantFactory(consent=outside, organization=agency, categories=categories)
        return person, viewer
    consent = ConsentFactory(person=person, recorded_by_organization=holder, **dates)
    grant = ConsentGrantFactory(consent=consent, organization=agency, categories=categories)
    if state == "revoked_one_organisation":
        grant.revoked_at = timezone.now()
        grant.save()
    if state == "revoked_all":
        consent.revoked_at = timezone.now()
        consent.save()
    return person, viewer


CASES = [(state, role) for state in STATES for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "role"), CASES, ids=[f"{s}-{r.value}" for s, r in CASES])
def test_consent_state_decides_what_a_partner_sees(state, role):
    person, viewer = build(state, role)
    _, granted, purpose = ROLES[role]
    sees_grant, refusal = STATES[state]
    subject = cast(Subject, people_in_scope(person.site_id, viewer=viewer).get(pk=person.pk))

    decisions = {
        category: decide(viewer=viewer, person=subject, category=category, purpose=purpose)
        for category in Category
    }

    allowed = {category for category, decision in decisions.items() if decision.allowed}
    assert allowed == (set(granted) if sees_grant else set())
    for category, decision in decisions.items():
        if category not in granted:
            assert "never sees" in decision.reason
        elif sees_grant:
            assert "names your organisation" in decision.reason
        else:
            assert refusal in decision.reason


@pytest.mark.django_db
def test_a_release_for_one_agency_does_not_open_the_person_to_another():
    person, _ = build("current", Role.POLICE_OFFICER)
    neighbour = OrganizationFactory(site=person.site, kind="police")
    viewer = Viewer.from_membership(
        Membership.objects.get(user=member(Role.POLICE_OFFICER, organization=neighbour))
    )
    subject = cast(Subject, people_in_scope(person.site_id, viewer=viewer).get(pk=person.pk))

    assert not decide(
        viewer=viewer, person=subject, category=Category.ENROLLMENT, purpose=Purpose.POLICE_LOOKUP
    )


@pytest.mark.django_db
def test_two_current_releases_grant_the_union_of_their_categories():
    person, viewer = build("none", Role.PROSECUTOR)
    holder = person.enrollments.get().provider
    for categories in (["enrollment"], ["legal"]):
        consent = ConsentFactory(
            person=person,
            recorded_by_organization=holder,
            effective_on=timezone.localdate(),
            expires_on=timezone.localdate() + dt.timedelta(days=10),
        )
        ConsentGrantFactory(
            consent=consent, organization_id=viewer.organization_id, categories=categories
        )

    subject = cast(Subject, people_in_scope(person.site_id, viewer=viewer).get(pk=person.pk))

    assert subject.consented_categories == frozenset({Category.ENROLLMENT, Category.LEGAL})
