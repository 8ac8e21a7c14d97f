from __future__ import annotations

import uuid
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from tandem.access.decisions import Capability, can
from tandem.access.viewer import Viewer
from tandem.accounts.selectors import lockout_failures, lockout_limit
from tandem.tenancy.models import Membership


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One member of a site as the members page shows them."""

    membership: Membership
    has_second_factor: bool
    is_locked: bool

    @property
    def password_set(self) -> bool:
        return self.membership.user.has_usable_password()


def member_list(*, viewer: Viewer) -> list[MemberRow]:
    """Every membership of the viewer's site, active ones first, in one query: whether the
    account has a second factor (as allauth.mfa.utils.is_mfa_enabled decides: any
    authenticator) and whether django-axes holds it locked."""
    if not can(viewer, Capability.MANAGE_SITE):
        return []
    limit = lockout_limit()
    memberships = (
        Membership.objects.filter(site_id=viewer.site_id)
        .select_related("user", "organization")
        .annotate(
            has_second_factor=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"))),
            failed_sign_ins=lockout_failures(OuterRef("user__username")),
        )
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )
    return [
        MemberRow(
            membership=membership,
            has_second_factor=membership.has_second_factor,
            is_locked=membership.failed_sign_ins >= limit,
        )
        for membership in memberships
    ]


def membership_get(*, viewer: Viewer, public_id: uuid.UUID) -> Membership | None:
    """A membership of the viewer's site; None for any other, so that another site's
    membership looks exactly like one that does not exist."""
    if not can(viewer, Capability.MANAGE_SITE):
        return None
    return (
        Membership.objects.filter(site_id=viewer.site_id, public_id=public_id)
        .select_related("user", "site", "organization")
        .first()
    )
