from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from tandem.access.roles import Role
from tandem.accounts.models import User
from tandem.accounts.services import USERNAME_TAKEN, user_create
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


# National support spans sites; a site's administrator never grants it.
NOT_GRANTED_BY_SITE_ADMIN = frozenset({Role.NATIONAL_SUPPORT})


@transaction.atomic
def member_add(
    *,
    actor: User,
    organization: Organization,
    role: str,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
) -> Membership:
    """A new sign-in account and its membership at `organization`'s site, both or neither.
    The account has no password: its owner sets one with the link `password_link_send`
    mails. The caller has checked that `actor` administers the site.

    A site administrator must not be able to give themselves a way into participant data:
    national support (a cross-site role) is never granted here, an e-mail address already
    used by any account is refused (so the link cannot go to a mailbox the administrator
    already uses), and the organisation's supervisors and the site's other administrators
    are told of every membership that sees participant data (see member_added_notice)."""
    if role in NOT_GRANTED_BY_SITE_ADMIN:
        raise ValidationError({"role": "This role is granted by national support, not by a site."})
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError(
            {
                "email": "This e-mail address is already used by an account; "
                "each member needs their own."
            }
        )
    try:
        user = user_create(
            actor=actor,
            site=organization.site,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=None,
        )
    except IntegrityError as error:
        # Another administrator took the same username a moment earlier.
        raise ValidationError({"username": USERNAME_TAKEN}) from error
    return membership_create(actor=actor, user=user, organization=organization, role=role)


def member_added_notice(*, actor: User, membership: Membership) -> list[str]:
    """Tell the people who would notice a stranger, the site's other administrators and the
    supervisors of the new member's organisation, that a member was added. Returns the
    addresses told."""
    recipients = sorted(
        set(
            Membership.objects.filter(site_id=membership.site_id, is_active=True)
            .filter(
                Q(role=Role.SITE_ADMIN)
                | Q(role=Role.CM_SUPERVISOR, organization_id=membership.organization_id)
            )
            .exclude(user_id__in=[actor.pk, membership.user_id])
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if recipients:
        send_mail(
            subject=f"[Tandem] New member at {membership.organization}",
            message=(
                f"{actor} added {membership.user} ({membership.user.get_username()}) as "
                f"{membership.get_role_display().lower()} at {membership.organization}, "
                f"{membership.site}.\n\nIf you do not know this person, say so at once: the "
                "membership can be deactivated on the Members page, and everything the account "
                "does is in the audit log.\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    return recipients


@transaction.atomic
def membership_set_active(*, actor: User, membership: Membership, active: bool) -> Membership:
    """Deactivate or reactivate a membership. A deactivated member keeps their account and
    any other site, but from their next request no longer works at this one. Nobody can
    deactivate their own membership, so a site always keeps the administrator who acted.
    The caller has checked that `actor` administers the site."""
    if not active and membership.user_id == actor.pk:
        raise ValidationError(
            "You cannot deactivate your own membership; another site administrator can."
        )
    # Lock the row so that two administrators acting at once record one change.
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.is_active == active:
        state = "active" if active else "inactive"
        raise ValidationError(f"{membership.user} is already {state} at this site.")
    locked.is_active = active
    locked.full_clean()
    locked.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        site=locked.site_id,
        action="membership.reactivated" if active else "membership.deactivated",
        target=locked,
        detail={"user": membership.user.get_username()},
    )
    return locked
