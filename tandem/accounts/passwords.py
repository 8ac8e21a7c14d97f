"""Password rules after NIST SP 800-63B §3.1.1.2: length, a screen against words an attacker
would try first, no composition rules. Django's bundled list of 20,000 passwords from
breaches is checked by CommonPasswordValidator; this module adds the context words."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

# Words tied to this service and its users (800-63B: "context-specific words").
CONTEXT_WORDS = (
    "tandem",
    "lead",
    "diversion",
    "casemanager",
    "police",
    "sheriff",
    "prosecutor",
    "defender",
    "password",
    "letmein",
    "welcome",
)


class ContextWordsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        folded = "".join(ch for ch in password.casefold() if ch.isalnum())
        for word in CONTEXT_WORDS:
            # A context word padded with a few characters is still a guessable password.
            if word in folded and len(folded) - len(word) < 8:
                raise ValidationError(
                    f"This password is built around “{word}”, a word attackers try first. "
                    "Choose a longer passphrase of unrelated words.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return "Avoid passwords built around the name of this service or its partners."


class MaximumLengthValidator:
    """800-63B asks to accept at least 64 characters; beyond 256 only slows hashing."""

    max_length = 256

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Use at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"Up to {self.max_length} characters; spaces are allowed."
