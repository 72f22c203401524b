"""Real servers on free loopback ports for the notification tests: an SMTP server (aiosmtpd) and
a webhook receiver that checks signatures the way a receiver would
(:func:`survey.messaging.webhooks.verify`)."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from survey.messaging import webhooks


class _FreePortController(Controller):
    """aiosmtpd's controller on port 0: the port the system chose is read back before use."""

    def _trigger_server(self) -> None:
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Inbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt]

    @staticmethod
    def body(message: Message) -> str:
        return str(message.get_content())  # type: ignore[attr-defined]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = _FreePortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]
    verified: bool

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers ``status`` (200 by default) to a correctly signed delivery,
    400 to a badly signed or stale one, and records every request."""

    secret: str = ""
    status: int = 200
    deliveries: list[Delivery] = field(default_factory=list)
    clock_offset: float = 0.0  # seconds added to the receiver's clock (a replay "later")
    url: str = ""

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.verified and self.status < 300]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: v for k, v in self.headers.items()}
            ok = webhooks.verify(receiver.secret, body, headers.get(webhooks.SIGNATURE_HEADER, ""),
                                 now=time.time() + receiver.clock_offset)
            receiver.deliveries.append(Delivery(body, headers, ok))
            self.send_response(receiver.status if ok else 400)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port with nothing listening (a receiver that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingSms:
    """An SMS provider for tests (``SURVEY_SMS_PROVIDER=tests.servers:RecordingSms``)."""

    sent: list[tuple[str, str]] = []  # noqa: RUF012 - shared on purpose: the outbox builds one per message

    def __init__(self, config: Any) -> None:
        pass

    def send(self, phone: str, text: str) -> str:
        RecordingSms.sent.append((phone, text))
        return f"rec-{len(RecordingSms.sent)}"
