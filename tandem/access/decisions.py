"""THE access decision. Every selector, view, fragment, API operation, export and report asks
`decide()` before participant information leaves the database; nothing else decides.

Defaults follow DESIGN.md §4; a site may only narrow them. Consent (releases of information)
is checked inside this same function: the roles that depend on one (police, prosecutors,
defenders) see a category only while a current release grants it to their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.db.models import TextChoices

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


class Subject(Protocol):
    """What the decision needs to know about a person. Selectors annotate
    `holding_organization_id` (the provider holding the current enrollment, or None),
    `holder_is_part2` (whether that provider is a 42 CFR Part 2 programme),
    `former_holder_organization_id` (the provider of the person's latest enrollment that
    has ended, or None), and, for the viewer's own organisation on today's date,
    `consented_categories` (the categories that current releases of information grant it)
    and `holder_consented_categories` (those granted by releases that the holding provider
    recorded). None means not computed, and is refused like an empty set."""

    @property
    def site_id(self) -> int: ...

    @property
    def holding_organization_id(self) -> int | None: ...

    @property
    def holder_is_part2(self) -> bool | None: ...

    @property
    def former_holder_organization_id(self) -> int | None: ...

    @property
    def consented_categories(self) -> frozenset[Category] | None: ...

    @property
    def holder_consented_categories(self) -> frozenset[Category] | None: ...


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ALL_CATEGORIES = frozenset(Category)

# The most each role may ever see of a person, before consent and scoping narrow it.
ROLE_CEILING: dict[Role, frozenset[Category]] = {
    Role.CASE_MANAGER: ALL_CATEGORIES,
    Role.CM_SUPERVISOR: ALL_CATEGORIES,
    Role.OUTREACH_WORKER: ALL_CATEGORIES,
    Role.PROJECT_MANAGER: frozenset(
        {Category.ENROLLMENT, Category.IDENTITY, Category.CASEWORK, Category.LEGAL}
    ),
    Role.POLICE_OFFICER: frozenset({Category.ENROLLMENT, Category.IDENTITY}),
    Role.POLICE_SERGEANT: frozenset({Category.ENROLLMENT, Category.IDENTITY}),
    Role.PROSECUTOR: frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL}),
    Role.DEFENDER: frozenset({Category.ENROLLMENT, Category.IDENTITY, Category.LEGAL}),
}

# What a case-management team may see of a participant held by another provider: enough to
# know who the person is and whom to call.
OTHER_PROVIDER_CATEGORIES = frozenset({Category.ENROLLMENT, Category.IDENTITY})

ROLE_PURPOSES: dict[Role, frozenset[Purpose]] = {
    Role.CASE_MANAGER: frozenset({Purpose.CARE_COORDINATION}),
    Role.CM_SUPERVISOR: frozenset({Purpose.CARE_COORDINATION}),
    Role.OUTREACH_WORKER: frozenset({Purpose.CARE_COORDINATION}),
    Role.PROJECT_MANAGER: frozenset({Purpose.CARE_COORDINATION, Purpose.LEGAL_COORDINATION}),
    Role.POLICE_OFFICER: frozenset({Purpose.POLICE_LOOKUP}),
    Role.POLICE_SERGEANT: frozenset({Purpose.POLICE_LOOKUP}),
    Role.PROSECUTOR: frozenset({Purpose.LEGAL_COORDINATION}),
    Role.DEFENDER: frozenset({Purpose.LEGAL_COORDINATION}),
}

CONSENT_DEPENDENT_ROLES = POLICE_ROLES | LEGAL_ROLES


def decide(*, viewer: Viewer, person: Subject, category: Category, purpose: Purpose) -> Decision:
    """May `viewer` see `category` of `person` for `purpose`? Always answers with a reason."""
    if person.site_id != viewer.site_id:
        return Decision(False, "The person belongs to another site.")
    role = viewer.role
    if role in AGGREGATE_ONLY_ROLES:
        return Decision(False, f"A {role.label.lower()} sees aggregate figures only.")
    if purpose not in ROLE_PURPOSES.get(role, frozenset()):
        return Decision(False, f"A {role.label.lower()} cannot act for {purpose.label.lower()}.")
    if category not in ROLE_CEILING.get(role, frozenset()):
        return Decision(False, f"A {role.label.lower()} never sees {category.label.lower()}.")
    if role in CASE_MANAGEMENT_ROLES:
        if person.holding_organization_id == viewer.organization_id:
            return Decision(True, "Your organisation holds this participant's enrollment.")
        if _held_until_exit_by(person, viewer.organization_id):
            return Decision(
                True,
                "Your organisation held this participant's enrollment until it ended; its "
                "team keeps sight of the record it kept.",
            )
        if _part2_withheld(person, category):
            return _part2_refusal()
        if category in OTHER_PROVIDER_CATEGORIES:
            return Decision(True, "Participants of the site: who they are and whom to call.")
        return Decision(False, "Another provider holds this participant's enrollment.")
    if role in CONSENT_DEPENDENT_ROLES:
        return _consent_decision(viewer=viewer, person=person, category=category)
    if _part2_withheld(person, category):
        return _part2_refusal()
    return Decision(True, f"A {role.label.lower()} sees {category.label.lower()} site-wide.")


def allowed_categories(*, viewer: Viewer, person: Subject, purpose: Purpose) -> frozenset[Category]:
    """Every category `decide()` allows for this viewer, person and purpose."""
    return frozenset(
        category
        for category in Category
        if decide(viewer=viewer, person=person, category=category, purpose=purpose)
    )


def _held_until_exit_by(person: Subject, organization_id: int | None) -> bool:
    # After an exit nobody holds the person, and without this the team that worked with
    # them would lose sight of its own record: the contacts it logged, the plan, what the
    # person said. The team whose enrollment ended last keeps reading it (never writing:
    # the services refuse casework on an ended enrollment) until another enrollment opens,
    # when the new holder's team takes over as it would from any other provider. Part 2 is
    # unaffected: what a programme recorded is its own, and what another programme
    # recorded stays refused item by item (`recorded_item_visible`).
    return (
        person.holding_organization_id is None
        and organization_id is not None
        and person.former_holder_organization_id == organization_id
    )


def _part2_withheld(person: Subject, category: Category) -> bool:
    # 42 CFR 2.13(c): even the fact that someone is a patient of a Part 2 programme may be
    # disclosed only with written consent (2.31) from that programme. Outside the programme
    # only who the person is remains visible without one: the enrollment, and everything the
    # programme recorded about the person (casework, legal coordination, ...), would each
    # reveal it.
    if not person.holder_is_part2 or category is Category.IDENTITY:
        return False
    return category not in (person.holder_consented_categories or frozenset())


def _part2_refusal() -> Decision:
    return Decision(
        False,
        "A 42 CFR Part 2 programme holds this participant; only a consent naming your "
        "organisation would allow you to see more than who they are.",
    )


def recorded_by_visible(
    *, viewer: Viewer, recorder_organization_id: int | None, recorder_is_part2: bool
) -> Decision:
    """May `viewer` see an item recorded or issued by an organisation (an identifier, later a
    note)? Whatever a Part 2 programme records stays inside it (42 CFR 2.13)."""
    if recorder_is_part2 and recorder_organization_id != viewer.organization_id:
        return _part2_refusal()
    return Decision(True, "Recorded outside any Part 2 programme, or by your own.")


class Audience(TextChoices):
    """Who a note is written for (DESIGN.md §4: every note has an audience; the default is
    the case-management team)."""

    TEAM = "team", "Case-management team"
    LEGAL_PARTNERS = "legal_partners", "Legal partners (through the status summary)"
    WORK_GROUP = "work_group", "Operational work group"


# Who may read a note's own words, by its audience. Police and legal partners never read a
# raw note, whatever its audience or category (DESIGN.md §4, Golden Rule 1): prosecutors and
# defenders read the templated status summary that tandem/legal builds, and "legal partners"
# marks a note the team may draw on when writing it. A work-group note may be read by the
# project office, which runs the Operational Work Group.
AUDIENCE_READERS: dict[str, frozenset[Role]] = {
    Audience.TEAM: CASE_MANAGEMENT_ROLES,
    Audience.LEGAL_PARTNERS: CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER},
    Audience.WORK_GROUP: CASE_MANAGEMENT_ROLES | {Role.PROJECT_MANAGER},
}


def audience_allows(*, viewer: Viewer, audience: str) -> Decision:
    """May `viewer` read the words of a note written for `audience`?"""
    if viewer.role in AUDIENCE_READERS.get(audience, frozenset()):
        return Decision(True, "The note's audience includes your role.")
    return Decision(
        False, f"A {viewer.role.label.lower()} does not read notes written for this audience."
    )


def recorded_item_visible(
    *,
    viewer: Viewer,
    person: Subject,
    category: Category,
    purpose: Purpose,
    recorder_organization_id: int | None,
    recorder_is_part2: bool,
) -> Decision:
    """May `viewer` see one item of `category` about `person` that an organisation recorded
    (a contact, a status change, a plan, ...)? The decision on the category, and then the
    recorder: what a Part 2 programme records stays inside it (42 CFR 2.13) unless the
    programme's own consent names the viewer's organisation (2.31). The consents computed
    for a person are those the programme holding them now recorded, so an item recorded by
    a programme that no longer holds the person stays inside that programme."""
    decision = decide(viewer=viewer, person=person, category=category, purpose=purpose)
    if not decision or not recorder_is_part2:
        return decision
    if recorder_organization_id == viewer.organization_id:
        return decision
    if recorder_organization_id == person.holding_organization_id and category in (
        person.holder_consented_categories or frozenset()
    ):
        return Decision(
            True,
            "A current consent recorded by the Part 2 programme names your organisation "
            f"for {category.label.lower()}.",
        )
    return _part2_refusal()


def note_visible(
    *,
    viewer: Viewer,
    person: Subject,
    category: Category,
    audience: str,
    purpose: Purpose,
    recorder_organization_id: int | None,
    recorder_is_part2: bool,
) -> Decision:
    """May `viewer` read a note's words: its category for this person and whoever recorded
    it (`recorded_item_visible`), and its audience."""
    decision = recorded_item_visible(
        viewer=viewer,
        person=person,
        category=category,
        purpose=purpose,
        recorder_organization_id=recorder_organization_id,
        recorder_is_part2=recorder_is_part2,
    )
    if not decision:
        return decision
    return audience_allows(viewer=viewer, audience=audience)


def _consent_decision(*, viewer: Viewer, person: Subject, category: Category) -> Decision:
    # Golden Rule 1: what police and legal partners learn must rest on a current release of
    # information that names their organisation for that category. The role ceiling has
    # already refused what no release could grant them (casework, health, whereabouts, ...).
    if person.holder_is_part2:
        # 42 CFR 2.31: only a consent the Part 2 programme itself recorded, naming the
        # recipient, unlocks what the programme holds; anyone else's release does not.
        if category in (person.holder_consented_categories or frozenset()):
            return Decision(
                True,
                "A current consent recorded by the Part 2 programme names your organisation "
                f"for {category.label.lower()}.",
            )
        return _part2_refusal()
    if category in (person.consented_categories or frozenset()):
        return Decision(
            True,
            "A current release of information names your organisation for "
            f"{category.label.lower()}.",
        )
    return Decision(
        False,
        f"No current release of information names your organisation for {category.label.lower()}.",
    )


class Capability(StrEnum):
    """Things a member may do that are not about one person."""

    FIND_PEOPLE = "find_people"
    # Record a new person, or correct a person's identity (names, identifiers, birth date).
    EDIT_PEOPLE = "edit_people"
    # Work the duplicate-review queue: merge two records of one person, or undo a merge.
    REVIEW_DUPLICATES = "review_duplicates"
    VIEW_SITE_FIGURES = "view_site_figures"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_SITE = "manage_site"
    MANAGE_API_TOKENS = "manage_api_tokens"
    VIEW_NATIONAL_FIGURES = "view_national_figures"
    # Read a participant's releases of information; record or revoke one.
    VIEW_CONSENTS = "view_consents"
    RECORD_CONSENTS = "record_consents"
    # Ask "is this person in LEAD, and whom do I call?" with a stated purpose.
    POLICE_LOOKUP = "police_lookup"
    # Read the contact notices police send about the team's participants (tandem/consent).
    READ_CONTACT_NOTICES = "read_contact_notices"
    # Read the site's eligibility policy and its versions; adopt a new version.
    VIEW_POLICY = "view_policy"
    MANAGE_POLICY = "manage_policy"
    # Refer someone through a police door (arrest diversion, social contact); the site's
    # policy says which of these roles each door is open to.
    MAKE_REFERRALS = "make_referrals"
    # Work the site's referral queue: triage, hand-off, locating, handing over to casework.
    WORK_REFERRALS = "work_referrals"
    # Keep the on-call roster of the case-management providers.
    MANAGE_ON_CALL = "manage_on_call"
    # Legal coordination (tandem/legal): work one's own office's diverted-charge holds;
    # read every hold of the site; write the status for legal partners and Golden-Rule
    # letters; open the list of participants whose release names one's organisation.
    WORK_HOLDS = "work_holds"
    VIEW_HOLDS = "view_holds"
    WRITE_LEGAL_STATUS = "write_legal_status"
    VIEW_LEGAL_PARTICIPANTS = "view_legal_participants"
    # Casework (tandem/casework): log and correct contacts and tasks; open the outreach list
    # of inactive participants; assign and transfer participants between case managers.
    LOG_CONTACTS = "log_contacts"
    VIEW_OUTREACH_LIST = "view_outreach_list"
    ASSIGN_CASELOADS = "assign_caseloads"
    # Casework support (tandem/casework/support): do intakes and keep a participant's plan,
    # service links, expenses and outcome snapshots; keep the provider's funding sources and
    # approve expenses; read and keep the site's service directory.
    WRITE_CASEWORK = "write_casework"
    MANAGE_FUNDS = "manage_funds"
    VIEW_SERVICE_DIRECTORY = "view_service_directory"
    EDIT_SERVICE_DIRECTORY = "edit_service_directory"


_CONSENT_RECORDERS = frozenset({Capability.VIEW_CONSENTS, Capability.RECORD_CONSENTS})
_REFERRAL_WORKERS = frozenset({Capability.WORK_REFERRALS})
_CASE_TEAM = frozenset({Capability.READ_CONTACT_NOTICES})

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CASE_MANAGER: frozenset({Capability.FIND_PEOPLE, Capability.EDIT_PEOPLE})
    | _CONSENT_RECORDERS
    | _REFERRAL_WORKERS
    | _CASE_TEAM,
    Role.CM_SUPERVISOR: frozenset(
        {
            Capability.FIND_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.VIEW_SITE_FIGURES,
            Capability.MANAGE_ON_CALL,
        }
    )
    | _CONSENT_RECORDERS
    | _REFERRAL_WORKERS
    | _CASE_TEAM,
    Role.OUTREACH_WORKER: frozenset({Capability.FIND_PEOPLE, Capability.EDIT_PEOPLE})
    | _CONSENT_RECORDERS
    | _REFERRAL_WORKERS
    | _CASE_TEAM,
    Role.PROJECT_MANAGER: frozenset(
        {
            Capability.FIND_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.REVIEW_DUPLICATES,
            Capability.VIEW_SITE_FIGURES,
            Capability.VIEW_CONSENTS,
            Capability.WORK_REFERRALS,
            Capability.MANAGE_ON_CALL,
        }
    ),
    Role.POLICE_OFFICER: frozenset({Capability.POLICE_LOOKUP, Capability.MAKE_REFERRALS}),
    Role.POLICE_SERGEANT: frozenset({Capability.POLICE_LOOKUP, Capability.MAKE_REFERRALS}),
    Role.EVALUATOR: frozenset({Capability.VIEW_SITE_FIGURES}),
    Role.PCG_MEMBER: frozenset({Capability.VIEW_SITE_FIGURES}),
    Role.SITE_ADMIN: frozenset(
        {Capability.VIEW_AUDIT_LOG, Capability.MANAGE_SITE, Capability.MANAGE_API_TOKENS}
    ),
    Role.NATIONAL_SUPPORT: frozenset({Capability.VIEW_NATIONAL_FIGURES}),
}

# Legal coordination (tandem/legal), added as a union so each role keeps what the table
# above gives it.
# - WORK_HOLDS (prosecutor): a diverted-charge hold is the prosecutor's own matter. The arrest
#   and the officer's report created it, and the person accepted the intake deadline as the
#   condition of the diversion, so seeing it does not rest on a release of information. The
#   selector scopes holds to the viewer's own office, and a hold shows only what the office
#   already holds (name, date of birth, the charge and its dates) and whether the intake was
#   done: never the provider, the case manager, casework, health, substance use or
#   whereabouts (Golden Rule 1).
# - VIEW_HOLDS (project manager): every hold of the site, read-only, for triage.
# - WRITE_LEGAL_STATUS (case-management team): the templated status for legal partners and
#   Golden-Rule letters; decide() must still find that their organisation holds the person.
# - VIEW_LEGAL_PARTICIPANTS (prosecutor, defender): the participants' list; decide() on the
#   legal category (a current release naming their organisation) says who is on it.
_LEGAL_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PROSECUTOR: frozenset({Capability.WORK_HOLDS, Capability.VIEW_LEGAL_PARTICIPANTS}),
    Role.DEFENDER: frozenset({Capability.VIEW_LEGAL_PARTICIPANTS}),
    Role.PROJECT_MANAGER: frozenset({Capability.VIEW_HOLDS}),
    **dict.fromkeys(CASE_MANAGEMENT_ROLES, frozenset({Capability.WRITE_LEGAL_STATUS})),
}
for _role, _granted in _LEGAL_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES.get(_role, frozenset()) | _granted

# The site's eligibility policy (tandem/policy): the site administrator keeps it; the project
# manager and the PCG, which adopts it, read it. It holds no participant data.
_POLICY_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.SITE_ADMIN: frozenset({Capability.VIEW_POLICY, Capability.MANAGE_POLICY}),
    Role.PROJECT_MANAGER: frozenset({Capability.VIEW_POLICY}),
    Role.PCG_MEMBER: frozenset({Capability.VIEW_POLICY}),
}
for _role, _granted in _POLICY_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES.get(_role, frozenset()) | _granted

# Casework support (tandem/casework/support). Capabilities only open the pages: what each
# page shows of a person is still decide()'s answer, so only the team holding the
# participant (or conducting their intake, see `intake_subject`) sees their plan, services,
# expenses and outcomes, and the project manager sees what its ceiling allows (casework,
# legal), never expenses or health. Funds are a supervisor's to keep and approve
# (DOMAIN.md §2); the service directory names organisations, not participants.
_CASEWORK_SUPPORT_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    **dict.fromkeys(
        CASE_MANAGEMENT_ROLES,
        frozenset({Capability.WRITE_CASEWORK, Capability.VIEW_SERVICE_DIRECTORY}),
    ),
    Role.CM_SUPERVISOR: frozenset(
        {
            Capability.WRITE_CASEWORK,
            Capability.VIEW_SERVICE_DIRECTORY,
            Capability.MANAGE_FUNDS,
            Capability.EDIT_SERVICE_DIRECTORY,
        }
    ),
    Role.PROJECT_MANAGER: frozenset(
        {Capability.VIEW_SERVICE_DIRECTORY, Capability.EDIT_SERVICE_DIRECTORY}
    ),
}
for _role, _granted in _CASEWORK_SUPPORT_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES.get(_role, frozenset()) | _granted


@dataclass(frozen=True, slots=True)
class IntakeSubject:
    """A person as the decision sees them while a provider does their intake."""

    site_id: int
    holding_organization_id: int | None
    holder_is_part2: bool | None
    consented_categories: frozenset[Category] | None = None
    holder_consented_categories: frozenset[Category] | None = None
    former_holder_organization_id: int | None = None


def intake_subject(
    person: Subject, *, intake_organization_id: int, intake_is_part2: bool
) -> Subject:
    """The subject to decide on for what an intake records. Until the intake enrolls the
    person nobody holds them, and the decision would show their intake to nobody; the
    provider doing the intake stands as the holder of it meanwhile (its own Part 2 status
    included), so its team works on it and every other provider, and every partner, is
    refused as they would be for a participant it held. A person with an open enrollment
    is decided as they are."""
    if person.holding_organization_id is not None:
        return person
    return IntakeSubject(
        site_id=person.site_id,
        holding_organization_id=intake_organization_id,
        holder_is_part2=intake_is_part2,
        consented_categories=person.consented_categories,
    )


# Casework (tandem/casework): the case-management team logs contacts and works the outreach
# list of its own provider's inactive participants (decide() must still allow casework for
# the person); a supervisor assigns and transfers participants between the provider's case
# managers.
_CASEWORK_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    **dict.fromkeys(
        CASE_MANAGEMENT_ROLES,
        frozenset({Capability.LOG_CONTACTS, Capability.VIEW_OUTREACH_LIST}),
    ),
    Role.CM_SUPERVISOR: frozenset(
        {Capability.LOG_CONTACTS, Capability.VIEW_OUTREACH_LIST, Capability.ASSIGN_CASELOADS}
    ),
}
for _role, _granted in _CASEWORK_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES.get(_role, frozenset()) | _granted


def can(viewer: Viewer, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(viewer.role, frozenset())


class ReferralScope(StrEnum):
    """Which referrals of the site a viewer may open."""

    NONE = "none"
    OWN = "own"  # the ones the viewer made
    ORGANIZATION = "organization"  # the ones made by the viewer's organisation
    SITE = "site"


def referral_scope(viewer: Viewer, *, approver_roles: frozenset[str]) -> ReferralScope:
    """The referrals a viewer may open. The case-management team and the project office
    work every referral of the site; a sergeant sees their department's, an officer their
    own. An approver the site's policy names (a prosecutor at some sites) sees the site's
    queue to decide it. Anyone else sees none. What a police viewer sees of a referral
    after the decision is only whether it was approved: never enrollment (Golden Rule 1)."""
    if can(viewer, Capability.WORK_REFERRALS):
        return ReferralScope.SITE
    if viewer.role.value in approver_roles and viewer.role not in POLICE_ROLES:
        return ReferralScope.SITE
    if viewer.role is Role.POLICE_SERGEANT:
        return ReferralScope.ORGANIZATION
    if viewer.role is Role.POLICE_OFFICER:
        return ReferralScope.OWN
    return ReferralScope.NONE


def default_purpose(role: Role) -> Purpose | None:
    """The purpose a role's screens declare when the viewer does not choose one."""
    purposes = ROLE_PURPOSES.get(role)
    if not purposes:
        return None
    if role is Role.PROJECT_MANAGER:
        return Purpose.CARE_COORDINATION
    return next(iter(purposes))


__all__ = [
    "AGGREGATE_ONLY_ROLES",
    "Audience",
    "Capability",
    "Decision",
    "ReferralScope",
    "Subject",
    "allowed_categories",
    "audience_allows",
    "can",
    "decide",
    "default_purpose",
    "intake_subject",
    "note_visible",
    "recorded_by_visible",
    "recorded_item_visible",
    "referral_scope",
]
