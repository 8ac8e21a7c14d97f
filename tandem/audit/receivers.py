"""Authentication events go to the audit chain: logins, failures, lockouts, MFA changes."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tandem.audit.services import audit_record


def _account(username: str | None) -> Any:
    # Sign-in matches usernames whatever their case; so does the audit.
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).first()


@receiver(user_logged_in)
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login")


@receiver(user_logged_out)
def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout")


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or credentials.get("login") or "")[:150]
    actor = _account(username)
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        actor=actor,
        actor_label=username,
        action="auth.login_failed",
        detail={"reason": "account locked" if locked else "wrong username or password"},
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    actor = _account(username)
    audit_record(actor=actor, actor_label=username or "", action="auth.locked_out")


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit_record(actor=user, action="mfa.added", detail={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit_record(actor=user, action="mfa.removed", detail={"type": authenticator.type})
    if request is not None and hasattr(request, "session"):
        request.session.pop("tandem.mfa_ok", None)


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit_record(actor=user, action="mfa.reset", detail={"type": authenticator.type})


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.password_changed")


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(
    sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any
) -> None:
    audit_record(
        actor=user,
        action="mfa.failed",
        detail={"type": getattr(authenticator, "type", "")},
    )
    # A wrong second-factor code counts towards the account lockout like a wrong password
    # (NIST SP 800-63B 5.2.2 asks for a hard limit on consecutive failed attempts).
    if request is not None and not kwargs.get("reauthentication"):
        AxesProxyHandler.user_login_failed(
            sender, credentials={"username": user.get_username()}, request=request
        )
