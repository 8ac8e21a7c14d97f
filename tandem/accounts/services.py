from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.roles import Role
from tandem.access.viewer import Viewer
from tandem.accounts.models import ApiToken, User
from tandem.audit.services import audit_read, audit_record
from tandem.tenancy.models import Organization

TOKEN_PREFIX = "tdm_"

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
) -> User:
    """Create a sign-in account. Without a password the account cannot sign in until one is
    set; a password given must pass the password rules (NIST SP 800-63B)."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.created", target=user, detail={"username": username})
    return user


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
def api_token_record_use(*, token: ApiToken, viewer: Viewer, method: str, path: str) -> None:
    """Every use of a token is audited, and the token shows when it was last used."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    audit_read(
        viewer=viewer,
        action="api_token.used",
        target=token,
        detail={"method": method, "path": path[:200]},
    )
