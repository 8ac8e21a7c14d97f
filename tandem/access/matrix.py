"""The effective access matrix of a site: for every role, category of information and state
of consent, what `decide()` answers and why. Computed by asking `decide()` itself about
synthetic people (no participant data), so the page cannot drift from the decision."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.access.decisions import Decision, decide, default_purpose
from tandem.access.roles import CASE_MANAGEMENT_ROLES, Category, Purpose, Role
from tandem.access.viewer import Viewer

# Synthetic keys: the viewer's organisation and another provider of the same site.
_SITE, _VIEWERS, _OTHER = 1, 1, 2


@dataclass(frozen=True, slots=True)
class ConsentState:
    key: str
    label: str
    # What the synthetic person looks like in this state, for one category.
    holder_is_part2: bool
    release_names_viewer: bool  # a current release (by anyone) names the viewer's organisation
    programme_release_names_viewer: bool  # ... one recorded by the holding provider


CONSENT_STATES = (
    ConsentState("none", "No release", False, False, False),
    ConsentState("current", "Current release naming the organisation", False, True, True),
    ConsentState("expired", "Release naming it, expired", False, False, False),
    ConsentState("revoked", "Release naming it, revoked", False, False, False),
    ConsentState(
        "part2_not_naming",
        "Part 2 programme holds; its release does not name the organisation",
        True,
        True,
        False,
    ),
    ConsentState(
        "part2_naming",
        "Part 2 programme holds; its release names the organisation",
        True,
        True,
        True,
    ),
)


@dataclass(frozen=True, slots=True)
class _Person:
    site_id: int
    holding_organization_id: int | None
    holder_is_part2: bool | None
    consented_categories: frozenset[Category] | None
    holder_consented_categories: frozenset[Category] | None
    former_holder_organization_id: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    allowed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class MatrixRow:
    category: str
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class RoleTable:
    role: str
    holder: str  # whose participant: "holding provider" or "another provider"
    purpose: str
    rows: list[MatrixRow]


# Whose participant the synthetic person is, for a case-management viewer: held by the
# viewer's provider; no longer held by anyone, the viewer's provider having held the last
# enrollment, which ended; or held by another provider. Other roles see the last kind.
HOLDS, HELD_UNTIL_EXIT, OTHER = "holds", "held_until_exit", "other"
_HOLDER_LABELS = {
    HOLDS: "held by the viewer's provider",
    HELD_UNTIL_EXIT: "whose enrollment with the viewer's provider ended",
    OTHER: "held by another provider",
}


def _cell(role: Role, *, holding: str, state: ConsentState, category: Category) -> Decision:
    viewer = Viewer(
        site_id=_SITE, organization_id=_VIEWERS, organization_kind="", role=role, label="matrix"
    )
    granted = frozenset({category})
    person = _Person(
        site_id=_SITE,
        holding_organization_id={HOLDS: _VIEWERS, HELD_UNTIL_EXIT: None}.get(holding, _OTHER),
        former_holder_organization_id=_VIEWERS if holding == HELD_UNTIL_EXIT else None,
        holder_is_part2=state.holder_is_part2,
        consented_categories=granted if state.release_names_viewer else frozenset(),
        holder_consented_categories=(
            granted if state.programme_release_names_viewer else frozenset()
        ),
    )
    purpose = default_purpose(role) or Purpose.CARE_COORDINATION
    return decide(viewer=viewer, person=person, category=category, purpose=purpose)


def effective_matrix() -> list[RoleTable]:
    """One table per role (three for case-management roles: their own participants, those
    whose enrollment with them ended, and another provider's), each category by each
    consent state."""
    tables = []
    for role in Role:
        holders = [HOLDS, HELD_UNTIL_EXIT, OTHER] if role in CASE_MANAGEMENT_ROLES else [OTHER]
        for holding in holders:
            purpose = default_purpose(role)
            tables.append(
                RoleTable(
                    role=role.label,
                    holder=_HOLDER_LABELS[holding],
                    purpose=purpose.label if purpose else "none (aggregate figures only)",
                    rows=[
                        MatrixRow(
                            category=category.label,
                            cells=[
                                Cell(decision.allowed, decision.reason)
                                for state in CONSENT_STATES
                                for decision in [
                                    _cell(role, holding=holding, state=state, category=category)
                                ]
                            ],
                        )
                        for category in Category
                    ],
                )
            )
    return tables
