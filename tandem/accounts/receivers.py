from __future__ import annotations

import time
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tandem.accounts.middleware import LAST_SEEN_KEY, MFA_OK_KEY, STARTED_KEY
from tandem.tenancy.middleware import SESSION_SITE_KEY
from tandem.tenancy.models import Membership


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The 12-hour limit counts from sign-in; the session is being written anyway."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    # The second factor counts only when this very sign-in used it; a factor the user added
    # elsewhere later does not promote a password-only session (see RequireMFAMiddleware).
    if any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
        request.session[MFA_OK_KEY] = True
    # A member of exactly one site starts there; others choose (tenancy:choose).
    sites = list(
        Membership.objects.filter(user=user, is_active=True).values_list(
            "site__public_id", flat=True
        )[:2]
    )
    if len(sites) == 1:
        request.session[SESSION_SITE_KEY] = str(sites[0])


@receiver(mfa_signals.authenticator_added)
def mark_session_verified(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    """Adding a factor proves possession of it (a TOTP code or the key's signature), so the
    session that added it counts as verified; every other session of the user must sign in
    again with it."""
    if request is not None and hasattr(request, "session"):
        request.session[MFA_OK_KEY] = True


@receiver(account_signals.password_reset)
def verify_email_on_password_link(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Setting a password through the e-mailed link proves the member reads that mailbox, so
    the address counts as verified (allauth refuses to add a second factor until it is)."""
    if not user.email:
        return
    updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True, primary=True
    )
    if not updated:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
