"""Typing for what Tandem's middleware adds to a request."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from tandem.access.viewer import Viewer
    from tandem.accounts.models import User
    from tandem.tenancy.models import Membership


class AuthedRequest(HttpRequest):
    user: User
    membership: Membership | None
    memberships: list[Membership]
    viewer: Viewer | None

    @staticmethod
    def cast(request: HttpRequest) -> AuthedRequest:
        return cast(AuthedRequest, request)
