from __future__ import annotations

from django.db import transaction

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.tenancy.models import Membership, Organization, Site


@transaction.atomic
def site_switch(*, actor: User, membership: Membership, previous: Membership | None) -> Membership:
    """Record that `actor` now works at `membership.site`; the caller stores it in the session."""
    if membership.user_id != actor.pk or not membership.is_active:
        raise PermissionError("A user can only switch to a site they belong to.")
    audit_record(
        actor=actor,
        site=membership.site,
        action="site.switched",
        target=membership.site,
        detail={"from": str(previous.site.public_id) if previous else None},
    )
    return membership


@transaction.atomic
def site_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    time_zone: str,
    stage: str,
    shares_national_aggregates: bool = False,
) -> Site:
    site = Site(
        name=name,
        slug=slug,
        time_zone=time_zone,
        stage=stage,
        shares_national_aggregates=shares_national_aggregates,
    )
    site.full_clean()
    site.save()
    audit_record(actor=actor, site=site, action="site.created", target=site)
    return site


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    site: Site,
    name: str,
    kind: str,
    is_part2_program: bool = False,
    on_call_phone: str = "",
) -> Organization:
    organization = Organization(
        site=site,
        name=name,
        kind=kind,
        is_part2_program=is_part2_program,
        on_call_phone=on_call_phone,
    )
    organization.full_clean()
    organization.save()
    audit_record(actor=actor, site=site, action="organization.created", target=organization)
    return organization


@transaction.atomic
def membership_create(
    *, actor: User | None, user: User, organization: Organization, role: str
) -> Membership:
    membership = Membership(user=user, site=organization.site, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        site=organization.site,
        action="membership.created",
        target=membership,
        detail={"user": user.get_username(), "role": role},
    )
    return membership
