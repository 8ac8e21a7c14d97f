from __future__ import annotations

import datetime
import hashlib
import secrets
import zoneinfo

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.core import ratelimit
from allauth.core.context import request_context
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import ApiToken, User
from tandem.accounts.selectors import account_is_locked
from tandem.audit.services import audit_read, audit_record
from tandem.tenancy.models import Membership, Organization, Site

TOKEN_PREFIX = "tdm_"
USERNAME_TAKEN = "That username is taken."

# The roles a site administrator may give a partner system. They see participant data only
# where a release of information names their organisation. Tokens that would read a
# caseload (a provider's own case-management system) are not issued here: a site
# administrator sees configuration, never participant data, and must not be able to mint
# a credential that does.
PARTNER_TOKEN_ROLES = frozenset(
    {Role.POLICE_OFFICER, Role.POLICE_SERGEANT, Role.PROSECUTOR, Role.DEFENDER}
)


def api_token_digest(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash is enough (no dictionary to guess).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    site: Site | None = None,
) -> User:
    """Create a sign-in account. Without a password the account cannot sign in until one is
    set; a password given must pass the password rules (NIST SP 800-63B). `site` is where
    the account is being created, for the audit log. A username is taken whatever its case,
    because sign-in and the lockout match it whatever its case."""
    if User.objects.filter(username__iexact=username).exists():
        # Usernames are global: the message says nothing of where the account works.
        raise ValidationError({"username": USERNAME_TAKEN})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor, site=site, action="user.created", target=user, detail={"username": username}
    )
    return user


def password_link_valid_for() -> str:
    """How long a set-password link works, in words (PASSWORD_RESET_TIMEOUT)."""
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if hours >= 48:
        return f"{hours // 24} days"
    return f"{max(hours, 1)} hours"


@transaction.atomic
def password_link_send(*, actor: User, user: User, site: Site, request: HttpRequest) -> None:
    """E-mail `user` a link to set their password. The link is allauth's own password-reset
    link (its token generator, the account_reset_password_from_key page): it works until a
    password is set, for PASSWORD_RESET_TIMEOUT, and is never shown to `actor`. The request
    gives the address the link points to."""
    if not user.email:
        raise ValidationError(f"{user} has no e-mail address to send a link to.")
    adapter = get_account_adapter(request)
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    context = {
        "user": user,
        "username": user.get_username(),
        "site": site,
        "password_reset_url": adapter.get_reset_password_from_key_url(key),
        "valid_for": password_link_valid_for(),
        "needs_second_factor": any(
            Role(role).requires_mfa
            for role in Membership.objects.filter(user=user, is_active=True).values_list(
                "role", flat=True
            )
        ),
    }
    with request_context(request):
        adapter.send_mail("accounts/email/password_link", user.email, context)
    # Written after the mail left, so the log never claims a link that was not sent.
    audit_record(
        actor=actor,
        site=site,
        action="user.password_link_sent",
        target=user,
        detail={"username": user.get_username(), "email": user.email},
    )


@transaction.atomic
def account_unlock(
    *, actor: User, membership: Membership, request: HttpRequest | None = None
) -> int:
    """Lift the lock django-axes put on `membership`'s account after failed sign-ins; returns
    how many attempt records were cleared. The caller has checked that `actor` administers
    the membership's site. With the request, allauth's own count of failed sign-ins for the
    account is cleared too (it is keyed by the host name members sign in at): it is full
    whenever axes has locked the account, and would refuse the member for a few minutes
    more."""
    user = membership.user
    username = user.get_username()
    if not account_is_locked(username=username):
        raise ValidationError(f"{user}'s account is not locked.")
    cleared: int = AxesProxyHandler.reset_attempts(username=username)
    if request is not None:
        adapter = get_account_adapter(request)
        key = adapter._get_login_attempts_cache_key(request, username=username)
        ratelimit.clear(request, action="login_failed", key=key)
    audit_record(
        actor=actor,
        site=membership.site_id,
        action="auth.unlocked",
        target=user,
        detail={"username": username, "attempts_cleared": cleared},
    )
    return cleared


@transaction.atomic
def api_token_issue(
    *, actor: User, organization: Organization, role: str, name: str
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the secret, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the system that will use this token."})
    if role not in PARTNER_TOKEN_ROLES:
        raise ValidationError(
            {"role": "Tokens are issued for police, prosecutor and defender systems only."}
        )
    kinds = Role(role).organization_kinds
    if kinds and organization.kind not in kinds:
        raise ValidationError(
            {"role": f"A {Role(role).label.lower()} token cannot belong to {organization}."}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        site=organization.site,
        organization=organization,
        role=role,
        name=name,
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        digest=api_token_digest(secret),
        created_by=actor,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        site=organization.site,
        action="api_token.issued",
        target=token,
        detail={"organization": str(organization.public_id), "role": role, "name": name},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError("This token is already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, site=token.site_id, action="api_token.revoked", target=token)
    return token


@transaction.atomic(savepoint=False)
def api_token_use(
    *, secret: str, method: str, path: str
) -> tuple[Viewer, zoneinfo.ZoneInfo] | None:
    """The viewer a partner system's token acts as and its site's time zone, or None if no
    live (unrevoked) token has this secret. Every use of a token is audited, and the token
    shows when it was last used: finding the token and stamping it are one statement, so a
    call costs that and its audit event (the API's lists are at their query budget)."""
    token = _api_token_stamped(digest=api_token_digest(secret), at=timezone.now())
    if token is None:
        return None
    viewer = Viewer(
        site_id=token.site_id,
        organization_id=token.organization_id,
        organization_kind=token.organization_kind,  # type: ignore[attr-defined]
        role=Role(token.role),
        api_token_id=token.pk,
        label=f"token:{token.name}",
    )
    audit_read(
        viewer=viewer,
        action="api_token.used",
        target=token,
        detail={"method": method, "path": path[:200]},
    )
    return viewer, zoneinfo.ZoneInfo(token.site_time_zone)  # type: ignore[attr-defined]


def _api_token_stamped(*, digest: str, at: datetime.datetime) -> ApiToken | None:
    """The live token with this digest, its last use set to `at`, its organisation's kind
    (as `organization_kind`) and its site's time zone (as `site_time_zone`): UPDATE ...
    RETURNING, one statement on PostgreSQL and SQLite alike. Table names come from the
    models."""
    token, organization, site = (
        ApiToken._meta.db_table,
        Organization._meta.db_table,
        Site._meta.db_table,
    )
    rows = list(
        ApiToken.objects.raw(
            f"UPDATE {token} SET last_used_at = %s "  # noqa: S608 (names from models)
            "WHERE digest = %s AND revoked_at IS NULL "
            f"RETURNING *, (SELECT o.kind FROM {organization} o "
            f"WHERE o.id = {token}.organization_id) AS organization_kind, "
            f"(SELECT s.time_zone FROM {site} s WHERE s.id = {token}.site_id) AS site_time_zone",
            [at, digest],
        )
    )
    return rows[0] if rows else None
