"""The access decision as a pure function: role by category defaults and site/organisation
scoping (DESIGN.md §4). No database: the viewer and the person are plain values."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.access.decisions import (
    Capability,
    allowed_categories,
    can,
    decide,
    recorded_item_visible,
)
from tandem.access.roles import (
    AGGREGATE_ONLY_ROLES,
    CASE_MANAGEMENT_ROLES,
    LEGAL_ROLES,
    POLICE_ROLES,
    Category,
    Purpose,
    Role,
)
from tandem.access.viewer import Viewer

SITE = 1
OTHER_SITE = 2
PROVIDER = 10
OTHER_PROVIDER = 11


@dataclass(frozen=True)
class Subject:
    site_id: int
    holding_organization_id: int | None
    holder_is_part2: bool = False
    consented_categories: frozenset[Category] | None = None
    holder_consented_categories: frozenset[Category] | None = None
    former_holder_organization_id: int | None = None


def viewer(role: Role, *, site: int = SITE, organization: int = PROVIDER) -> Viewer:
    return Viewer(
        site_id=site,
        organization_id=organization,
        organization_kind="case_management",
        role=role,
        user_id=1,
        label="someone",
    )


roles = st.sampled_from(list(Role))
categories = st.sampled_from(list(Category))
purposes = st.sampled_from(list(Purpose))
holders = st.sampled_from([None, PROVIDER, OTHER_PROVIDER])


@given(role=roles, category=categories, purpose=purposes, holder=holders)
def test_nobody_sees_a_person_of_another_site(role, category, purpose, holder):
    decision = decide(
        viewer=viewer(role, site=OTHER_SITE),
        person=Subject(SITE, holder),
        category=category,
        purpose=purpose,
    )

    assert not decision.allowed
    assert "another site" in decision.reason


@given(
    role=st.sampled_from(sorted(AGGREGATE_ONLY_ROLES)),
    category=categories,
    purpose=purposes,
    holder=holders,
)
def test_aggregate_roles_never_see_a_person(role, category, purpose, holder):
    decision = decide(
        viewer=viewer(role), person=Subject(SITE, holder), category=category, purpose=purpose
    )

    assert not decision.allowed


@given(
    role=st.sampled_from(sorted(POLICE_ROLES)),
    category=st.sampled_from(
        [Category.WHEREABOUTS, Category.CASEWORK, Category.HEALTH, Category.SUBSTANCE_USE]
    ),
    purpose=purposes,
    holder=holders,
)
def test_police_never_see_whereabouts_casework_health_or_substance_use(
    role, category, purpose, holder
):
    assert not decide(
        viewer=viewer(role), person=Subject(SITE, holder), category=category, purpose=purpose
    )


@given(
    role=st.sampled_from(sorted(LEGAL_ROLES)),
    category=st.sampled_from(
        [Category.CASEWORK, Category.HEALTH, Category.SUBSTANCE_USE, Category.WHEREABOUTS]
    ),
    purpose=purposes,
    holder=holders,
)
def test_legal_partners_never_see_notes_health_or_substance_use(role, category, purpose, holder):
    assert not decide(
        viewer=viewer(role), person=Subject(SITE, holder), category=category, purpose=purpose
    )


@pytest.mark.parametrize("role", sorted(POLICE_ROLES | LEGAL_ROLES))
def test_consent_dependent_roles_are_refused_when_no_release_names_them(role):
    purpose = Purpose.POLICE_LOOKUP if role in POLICE_ROLES else Purpose.LEGAL_COORDINATION

    decision = decide(
        viewer=viewer(role),
        person=Subject(SITE, PROVIDER),
        category=Category.ENROLLMENT,
        purpose=purpose,
    )

    assert not decision.allowed
    assert "release of information" in decision.reason


@given(
    role=st.sampled_from(sorted(POLICE_ROLES | LEGAL_ROLES)),
    category=st.sampled_from(
        [Category.WHEREABOUTS, Category.CASEWORK, Category.HEALTH, Category.SUBSTANCE_USE]
    ),
    purpose=purposes,
    part2=st.booleans(),
)
def test_no_release_unlocks_what_the_role_never_sees(role, category, purpose, part2):
    everything = frozenset(Category)
    person = Subject(
        SITE,
        PROVIDER,
        holder_is_part2=part2,
        consented_categories=everything,
        holder_consented_categories=everything,
    )

    assert not decide(viewer=viewer(role), person=person, category=category, purpose=purpose)


@pytest.mark.parametrize("role", sorted(CASE_MANAGEMENT_ROLES))
def test_holding_team_sees_every_category(role):
    allowed = allowed_categories(
        viewer=viewer(role), person=Subject(SITE, PROVIDER), purpose=Purpose.CARE_COORDINATION
    )

    assert allowed == frozenset(Category)


@pytest.mark.parametrize("role", sorted(CASE_MANAGEMENT_ROLES))
def test_another_providers_team_sees_only_who_and_whom_to_call(role):
    allowed = allowed_categories(
        viewer=viewer(role, organization=OTHER_PROVIDER),
        person=Subject(SITE, PROVIDER),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == {Category.ENROLLMENT, Category.IDENTITY}


def test_case_manager_sees_identity_of_someone_not_enrolled_but_not_casework():
    allowed = allowed_categories(
        viewer=viewer(Role.CASE_MANAGER),
        person=Subject(SITE, None),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == {Category.ENROLLMENT, Category.IDENTITY}


def test_project_manager_sees_enrollment_identity_casework_and_legal_site_wide():
    allowed = allowed_categories(
        viewer=viewer(Role.PROJECT_MANAGER, organization=99),
        person=Subject(SITE, PROVIDER),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == {
        Category.ENROLLMENT,
        Category.IDENTITY,
        Category.CASEWORK,
        Category.LEGAL,
    }


def test_a_purpose_the_role_cannot_declare_is_refused():
    decision = decide(
        viewer=viewer(Role.CASE_MANAGER),
        person=Subject(SITE, PROVIDER),
        category=Category.IDENTITY,
        purpose=Purpose.POLICE_LOOKUP,
    )

    assert not decision.allowed
    assert "police lookup" in decision.reason


@pytest.mark.parametrize(
    ("role", "capability", "expected"),
    [
        (Role.SITE_ADMIN, Capability.VIEW_AUDIT_LOG, True),
        (Role.CASE_MANAGER, Capability.VIEW_AUDIT_LOG, False),
        (Role.POLICE_OFFICER, Capability.FIND_PEOPLE, False),
        (Role.CASE_MANAGER, Capability.FIND_PEOPLE, True),
        (Role.SITE_ADMIN, Capability.FIND_PEOPLE, False),
        (Role.EVALUATOR, Capability.VIEW_SITE_FIGURES, True),
        (Role.NATIONAL_SUPPORT, Capability.VIEW_SITE_FIGURES, False),
        (Role.NATIONAL_SUPPORT, Capability.VIEW_NATIONAL_FIGURES, True),
    ],
)
def test_capabilities_by_role(role, capability, expected):
    assert can(viewer(role), capability) is expected


def test_only_roles_that_see_suppressed_figures_alone_may_skip_mfa():
    exempt = {role for role in Role if not role.requires_mfa}

    assert exempt == {Role.PCG_MEMBER, Role.NATIONAL_SUPPORT}


@pytest.mark.parametrize(
    ("role", "organization"),
    [
        (Role.CASE_MANAGER, OTHER_PROVIDER),
        (Role.OUTREACH_WORKER, OTHER_PROVIDER),
        (Role.PROJECT_MANAGER, 99),
    ],
)
def test_enrollment_held_by_a_part2_programme_is_hidden_from_everyone_else(role, organization):
    """42 CFR 2.13: that someone is a patient of a Part 2 programme is itself protected."""
    decision = decide(
        viewer=viewer(role, organization=organization),
        person=Subject(SITE, PROVIDER, holder_is_part2=True),
        category=Category.ENROLLMENT,
        purpose=Purpose.CARE_COORDINATION,
    )

    assert not decision.allowed
    assert "Part 2" in decision.reason


def test_the_part2_programme_itself_sees_its_own_participant():
    allowed = allowed_categories(
        viewer=viewer(Role.CASE_MANAGER),
        person=Subject(SITE, PROVIDER, holder_is_part2=True),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == frozenset(Category)


@pytest.mark.parametrize(
    ("role", "organization"),
    [(Role.CASE_MANAGER, OTHER_PROVIDER), (Role.PROJECT_MANAGER, 99)],
)
def test_outside_a_part2_programme_only_who_the_person_is_remains(role, organization):
    allowed = allowed_categories(
        viewer=viewer(role, organization=organization),
        person=Subject(SITE, PROVIDER, holder_is_part2=True),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == {Category.IDENTITY}


def test_a_consent_from_the_part2_programme_shows_another_provider_what_it_grants():
    allowed = allowed_categories(
        viewer=viewer(Role.CASE_MANAGER, organization=OTHER_PROVIDER),
        person=Subject(
            SITE,
            PROVIDER,
            holder_is_part2=True,
            consented_categories=frozenset({Category.ENROLLMENT}),
            holder_consented_categories=frozenset({Category.ENROLLMENT}),
        ),
        purpose=Purpose.CARE_COORDINATION,
    )

    assert allowed == {Category.ENROLLMENT, Category.IDENTITY}


def test_what_a_part2_programme_recorded_stays_inside_it():
    from tandem.access.decisions import recorded_by_visible

    assert not recorded_by_visible(
        viewer=viewer(Role.CASE_MANAGER, organization=OTHER_PROVIDER),
        recorder_organization_id=PROVIDER,
        recorder_is_part2=True,
    )
    assert recorded_by_visible(
        viewer=viewer(Role.CASE_MANAGER), recorder_organization_id=PROVIDER, recorder_is_part2=True
    )
    assert recorded_by_visible(
        viewer=viewer(Role.CASE_MANAGER, organization=OTHER_PROVIDER),
        recorder_organization_id=PROVIDER,
        recorder_is_part2=False,
    )


# After an exit ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(CASE_MANAGEMENT_ROLES))
@pytest.mark.parametrize("category", list(Category))
def test_the_team_whose_enrollment_ended_keeps_sight_of_the_record(role, category):
    ended = Subject(SITE, None, former_holder_organization_id=PROVIDER)

    decision = decide(
        viewer=viewer(role), person=ended, category=category, purpose=Purpose.CARE_COORDINATION
    )

    assert decision
    assert "until it ended" in decision.reason


@pytest.mark.parametrize(
    "category", sorted(set(Category) - {Category.IDENTITY, Category.ENROLLMENT})
)
def test_another_team_gains_nothing_from_someone_elses_ended_enrollment(category):
    ended = Subject(SITE, None, former_holder_organization_id=OTHER_PROVIDER)

    assert not decide(
        viewer=viewer(Role.CASE_MANAGER),
        person=ended,
        category=category,
        purpose=Purpose.CARE_COORDINATION,
    )


@pytest.mark.parametrize(
    "category", sorted(set(Category) - {Category.IDENTITY, Category.ENROLLMENT})
)
def test_once_another_provider_enrolls_the_person_the_former_team_steps_back(category):
    reenrolled = Subject(SITE, OTHER_PROVIDER, former_holder_organization_id=PROVIDER)

    assert not decide(
        viewer=viewer(Role.CASE_MANAGER),
        person=reenrolled,
        category=category,
        purpose=Purpose.CARE_COORDINATION,
    )


@given(
    role=st.sampled_from(sorted(set(Role) - CASE_MANAGEMENT_ROLES)),
    category=categories,
    purpose=purposes,
    holder=holders,
    part2=st.booleans(),
)
def test_a_former_holder_changes_nothing_for_any_other_role(role, category, purpose, holder, part2):
    # Police, legal partners, the project office and the aggregate roles: whether the
    # viewer's organisation (or any) once held the person never widens what they see.
    plain = Subject(SITE, holder, holder_is_part2=part2)
    ended = Subject(SITE, holder, holder_is_part2=part2, former_holder_organization_id=PROVIDER)

    assert bool(decide(viewer=viewer(role), person=plain, category=category, purpose=purpose)) == (
        bool(decide(viewer=viewer(role), person=ended, category=category, purpose=purpose))
    )


def test_an_item_another_part2_programme_recorded_stays_refused_to_the_former_team():
    ended = Subject(SITE, None, former_holder_organization_id=PROVIDER)

    assert not recorded_item_visible(
        viewer=viewer(Role.CASE_MANAGER),
        person=ended,
        category=Category.SUBSTANCE_USE,
        purpose=Purpose.CARE_COORDINATION,
        recorder_organization_id=OTHER_PROVIDER,
        recorder_is_part2=True,
    )
    assert recorded_item_visible(
        viewer=viewer(Role.CASE_MANAGER),
        person=ended,
        category=Category.SUBSTANCE_USE,
        purpose=Purpose.CARE_COORDINATION,
        recorder_organization_id=PROVIDER,
        recorder_is_part2=True,
    )
