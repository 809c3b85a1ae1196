"""Reading the outbox, and pointing Django's mail at the sink."""

from __future__ import annotations

import email
import mailbox
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings


class OutboxDisabled(Exception):
    """The outbox is for the demo and development; it is off (BECOMING_OUTBOX)."""


def outbox_dir() -> Path:
    return Path(settings.HOME) / "outbox"


def use_sink(port: int, host: str = "127.0.0.1") -> None:
    """Send this process's mail to the sink (settings are read at each send)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.BECOMING_OUTBOX = True


@dataclass
class Entry:
    key: str
    subject: str
    sender: str
    to: str
    date: object
    message: EmailMessage

    def part(self, subtype: str) -> str | None:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None

    @property
    def text(self) -> str:
        return self.part("plain") or ""

    @property
    def html(self) -> str | None:
        return self.part("html")

    @property
    def attachments(self) -> list[str]:
        return [a.get_filename() or a.get_content_type() for a in self.message.iter_attachments()]


def _entry(key: str, raw: bytes) -> Entry:
    message = email.message_from_bytes(raw, policy=policy.default)
    try:
        date = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return Entry(key=key, subject=str(message["Subject"] or "(no subject)"),
                 sender=str(message["From"] or ""), to=str(message["To"] or ""), date=date,
                 message=message)  # type: ignore[arg-type]


def _box() -> mailbox.Maildir:
    if not settings.BECOMING_OUTBOX:
        raise OutboxDisabled("The outbox is off: it is for the demo and development "
                             "(set BECOMING_OUTBOX=true, or run `becoming demo`).")
    return mailbox.Maildir(str(outbox_dir()), create=True)


def list_messages(query: str = "") -> list[Entry]:
    """Every message, newest first; ``query`` filters by recipient or subject."""
    box = _box()
    found = []
    for key in box.keys():
        with box.get_file(key) as f:
            entry = _entry(key, f.read())
        if query and query.lower() not in f"{entry.to} {entry.subject}".lower():
            continue
        found.append(entry)
    found.sort(key=lambda e: (e.date is not None, e.date or 0, e.key), reverse=True)
    return found


def get_message(key: str) -> Entry | None:
    box = _box()
    if "/" in key or key not in box:
        return None
    with box.get_file(key) as f:
        return _entry(key, f.read())


def clear() -> int:
    """Remove every message; returns how many there were."""
    box = _box()
    keys = list(box.keys())
    for key in keys:
        box.discard(key)
    return len(keys)
