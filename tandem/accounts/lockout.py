"""Who an attempt is counted against. Sign-in matches usernames whatever their case, so the
lockout must too: otherwise "ALICE" would go on guessing after "alice" was locked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tandem.accounts.models import User


def canonical_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    typed = ""
    if credentials:
        typed = str(credentials.get("username") or credentials.get("login") or "")
    if not typed and request is not None and request.method == "POST":
        typed = str(request.POST.get("login") or request.POST.get("username") or "")
    typed = typed.strip()[:150]
    stored = User.objects.filter(username__iexact=typed).values_list("username", flat=True).first()
    return stored or typed.casefold()
