"""An SMTP server on loopback that keeps every message in a Maildir (``actions.outbox_dir``).

aiosmtpd is a well-kept SMTP server; its ``Controller`` runs it in a thread of the process that
starts it (`becoming demo`). Messages are written whole (Maildir's tmp → new rename), so the
outbox page never reads half a message.
"""

from __future__ import annotations

import mailbox
import socket
from pathlib import Path


class _MaildirHandler:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        box = mailbox.Maildir(str(self.folder), create=True)
        box.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def start_sink(folder: Path, port: int = 0, host: str = "127.0.0.1"):
    """Start the sink on ``host:port`` (a free port when 0); returns the running controller
    (``.stop()`` ends it; ``.port`` is where it listens)."""
    from aiosmtpd.controller import Controller

    controller = Controller(_MaildirHandler(folder), hostname=host, port=port or free_port(host))
    controller.start()
    return controller


def start_outbox(host: str = "127.0.0.1"):
    """Start the sink for this process (BECOMING_OUTBOX_PORT, or a free port) and send this
    process's mail to it; returns the controller."""
    from django.conf import settings

    from .actions import outbox_dir, use_sink

    controller = start_sink(outbox_dir(), settings.BECOMING_OUTBOX_PORT, host)
    use_sink(controller.port, host)
    return controller
