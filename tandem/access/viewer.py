"""Who is asking: a signed-in member at their current site, or a partner system's API token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.access.roles import Role

if TYPE_CHECKING:
    from tandem.tenancy.models import Membership


@dataclass(frozen=True, slots=True)
class Viewer:
    """The principal that the access decision reasons about. Built once per request from a
    membership or an API token; it never carries participant data."""

    site_id: int
    organization_id: int
    organization_kind: str
    role: Role
    user_id: int | None = None
    api_token_id: int | None = None
    label: str = ""

    @classmethod
    def from_membership(cls, membership: Membership) -> Viewer:
        return cls(
            site_id=membership.site_id,
            organization_id=membership.organization_id,
            organization_kind=membership.organization.kind,
            role=Role(membership.role),
            user_id=membership.user_id,
            label=membership.user.get_username(),
        )
