from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tandem.audit.context import RequestOrigin, current_origin


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (anything further left was written by the client and may be forged)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            address = canonical_ip(forwarded[-proxies])
            if address is not None:
                return address
    return canonical_ip(request.META.get("REMOTE_ADDR") or "")


def canonical_ip(value: str) -> str | None:
    """`value` spelled as the database will return it, or None if it is not an address.
    Anything else would fail to store (an inet column on PostgreSQL) or read back in another
    spelling than the one the audit hash covered."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None
    return str(address)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(
            ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400]
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
