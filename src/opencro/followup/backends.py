"""Reminder backends: how a visit reminder leaves OpenCRO, one backend per channel.

`settings.OPENCRO_REMINDER_BACKENDS` names a class per channel ({"email": "module.Class", "sms": ...}); the
classes are loaded on use (`reminder_backend`) and checked at start-up (`opencro.followup.checks`). A backend
takes a `ReminderMessage` and returns a reference for the log, or raises `ReminderDeliveryError`.

- `ConsoleBackend` (the default for both channels): writes the message to the log (logger
  "opencro.followup.reminders", on stderr) and keeps it in `ConsoleBackend.outbox` for tests.
- `SmtpEmailBackend`: e-mail through the project's default mailer (MAILERS, the OPENCRO_SMTP_* settings).
- `HttpSmsBackend`: SMS through an HTTP gateway: a JSON POST {"to", "text"} to `OPENCRO_SMS_GATEWAY_URL`
  with `Authorization: Bearer OPENCRO_SMS_GATEWAY_TOKEN` ("to": the list of numbers).
"""

import importlib
import json
import logging
import smtplib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings

logger = logging.getLogger("opencro.followup.reminders")

CHANNELS = ("email", "sms")


class ReminderDeliveryError(Exception):
    """The backend could not hand the message over; the log records it and the next run tries again."""


@dataclass(frozen=True)
class ReminderMessage:
    channel: str
    to: tuple[str, ...]
    subject: str
    body: str


class ReminderBackend(Protocol):
    def send(self, message: ReminderMessage) -> str: ...


class ConsoleBackend:
    """Write the message to the log and keep it in `outbox` (the default: nothing leaves the machine)."""

    outbox: ClassVar[list[ReminderMessage]] = []
    outbox_limit: ClassVar[int] = 1000

    def send(self, message: ReminderMessage) -> str:
        reference = f"console-{uuid.uuid4().hex[:12]}"
        logger.warning("Reminder (%s) to %s: %s\n%s", message.channel, message.to, message.subject, message.body)
        ConsoleBackend.outbox.append(message)
        del ConsoleBackend.outbox[: -self.outbox_limit]  # a long-running process keeps only the newest
        return reference


class SmtpEmailBackend:
    """E-mail through Django's default mailer (settings.MAILERS, i.e. OPENCRO_SMTP_*)."""

    def send(self, message: ReminderMessage) -> str:
        from django.core import mail

        email = mail.EmailMessage(subject=message.subject, body=message.body, to=list(message.to))
        try:
            with mail.mailers.default as connection:
                sent = connection.send_messages([email])
        except (OSError, smtplib.SMTPException) as exc:
            raise ReminderDeliveryError(f"mail server: {exc}") from exc
        if not sent:
            raise ReminderDeliveryError("the mail server accepted no message")
        return email.extra_headers.get("Message-ID", "") or "smtp"


class HttpSmsBackend:
    """SMS through an HTTP gateway configured by OPENCRO_SMS_GATEWAY_URL and OPENCRO_SMS_GATEWAY_TOKEN."""

    timeout = 10

    def __init__(self) -> None:
        self.url = getattr(settings, "OPENCRO_SMS_GATEWAY_URL", "")
        self.token = getattr(settings, "OPENCRO_SMS_GATEWAY_TOKEN", "")

    def request(self, message: ReminderMessage) -> urllib.request.Request:
        """The gateway request for `message` (separate so its shape is testable without a network)."""
        if not self.url.startswith("https://"):
            raise ReminderDeliveryError("OPENCRO_SMS_GATEWAY_URL must be an https:// URL")
        body = json.dumps({"to": list(message.to), "text": message.body}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 https only

    def send(self, message: ReminderMessage) -> str:
        try:
            with urllib.request.urlopen(self.request(message), timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(4096)
        except (OSError, urllib.error.URLError) as exc:
            raise ReminderDeliveryError(f"SMS gateway: {exc}") from exc
        try:
            return str(json.loads(answer or b"{}").get("id", ""))[:200] or "sms"
        except (ValueError, AttributeError):
            return "sms"


def backend_class(path: str) -> type:
    """Import "module.Class"; raise ImportError or TypeError when it is not a class with `send`."""
    if not isinstance(path, str) or "." not in path:
        raise ImportError(f"{path!r} is not a dotted 'module.Class' path")
    module_name, _dot, name = path.rpartition(".")
    value = getattr(importlib.import_module(module_name), name, None)
    if value is None:
        raise ImportError(f"{module_name} has no attribute {name!r}")
    if not isinstance(value, type) or not callable(getattr(value, "send", None)):
        raise TypeError(f"{path} is not a class with a send(message) method")
    return value


def reminder_backend(channel: str) -> ReminderBackend:
    """A new instance of the backend configured for `channel` ("email" or "sms")."""
    return backend_class(settings.OPENCRO_REMINDER_BACKENDS[channel])()
