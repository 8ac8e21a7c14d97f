"""Sending SMS behind one small interface, like Django's e-mail backends.

`settings.TANDEM_SMS_BACKEND` names the backend by dotted path. Tandem ships three: the
console (local and demo runs), a folder of files (a trial that wants to read them) and an
in-memory outbox (tests). A site that pages by SMS for real adds a backend for its gateway
with the same `send` method."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str
    text: str


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> None:
        """Send one message or raise: the caller records the error and tries again later."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each message, for local and demo runs."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> None:
        self.stream.write(f"SMS to {message.to}\n{message.text}\n{'-' * 40}\n")
        self.stream.flush()


class FileSmsBackend(BaseSmsBackend):
    """Writes one file per message into `settings.TANDEM_SMS_FILE_PATH`."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path or settings.TANDEM_SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.txt"
        (self.path / name).write_text(f"To: {message.to}\n\n{message.text}\n", encoding="utf-8")


# The in-memory outbox of LocmemSmsBackend; emptied before every test (conftest.py).
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in `tandem.notify.sms.outbox`, for tests."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def sms_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.TANDEM_SMS_BACKEND)()
    return backend


def send_sms(*, to: str, text: str) -> None:
    sms_backend().send(SmsMessage(to=to, text=text))
