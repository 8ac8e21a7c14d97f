from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from axes.handlers.proxy import AxesProxyHandler
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by a site administrator, never by the public.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # django-axes owns the per-account lockout (CJIS 5.5.3). Once it has locked an
        # account, the attempt must reach it, so that the lockout page answers and the attempt
        # is audited; allauth's own limit would answer first, with another message and no
        # record of the attempt.
        if not AxesProxyHandler.is_allowed(request, credentials):
            return
        super().pre_authenticate(request, **credentials)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user: Any) -> str:
        return str(user.get_username())
