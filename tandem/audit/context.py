"""Where the current request came from, so that services can audit without being handed the
request. Set by AuditContextMiddleware; empty in commands and tasks."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestOrigin:
    ip: str | None = None
    user_agent: str = ""


NO_ORIGIN = RequestOrigin()
current_origin: ContextVar[RequestOrigin | None] = ContextVar("current_origin", default=None)
