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
    `holder_is_part2` (whether that provider is a 42 CFR Part 2 programme), and, for the
    viewer's own organisation on today's date, `consented_categories` (the categories that
    current releases of information grant it) and `holder_consented_categories` (those
    granted by releases that the holding provider recorded). None means not computed, and
    is refused like an empty set."""

    @property
    def site_id(self) -> int: ...

    @property
    def holding_organization_id(self) -> int | None: ...

    @property
    def holder_is_part2(self) -> bool | None: ...

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


_CONSENT_RECORDERS = frozenset({Capability.VIEW_CONSENTS, Capability.RECORD_CONSENTS})

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CASE_MANAGER: frozenset({Capability.FIND_PEOPLE, Capability.EDIT_PEOPLE})
    | _CONSENT_RECORDERS,
    Role.CM_SUPERVISOR: frozenset(
        {Capability.FIND_PEOPLE, Capability.EDIT_PEOPLE, Capability.VIEW_SITE_FIGURES}
    )
    | _CONSENT_RECORDERS,
    Role.OUTREACH_WORKER: frozenset({Capability.FIND_PEOPLE, Capability.EDIT_PEOPLE})
    | _CONSENT_RECORDERS,
    Role.PROJECT_MANAGER: frozenset(
        {
            Capability.FIND_PEOPLE,
            Capability.EDIT_PEOPLE,
            Capability.REVIEW_DUPLICATES,
            Capability.VIEW_SITE_FIGURES,
            Capability.VIEW_CONSENTS,
        }
    ),
    Role.POLICE_OFFICER: frozenset({Capability.POLICE_LOOKUP}),
    Role.POLICE_SERGEANT: frozenset({Capability.POLICE_LOOKUP}),
    Role.EVALUATOR: frozenset({Capability.VIEW_SITE_FIGURES}),
    Role.PCG_MEMBER: frozenset({Capability.VIEW_SITE_FIGURES}),
    Role.SITE_ADMIN: frozenset(
        {Capability.VIEW_AUDIT_LOG, Capability.MANAGE_SITE, Capability.MANAGE_API_TOKENS}
    ),
    Role.NATIONAL_SUPPORT: frozenset({Capability.VIEW_NATIONAL_FIGURES}),
}


def can(viewer: Viewer, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(viewer.role, frozenset())


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
    "Capability",
    "Decision",
    "Subject",
    "allowed_categories",
    "can",
    "decide",
    "default_purpose",
    "recorded_by_visible",
]
