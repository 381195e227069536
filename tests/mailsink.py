"""A real SMTP server on loopback for the tests (aiosmtpd), collecting what it receives."""
import asyncio
import email
import socket
from collections.abc import Callable
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink: "MailSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.reject_recipients_with:
            return self.sink.reject_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.while_receiving is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.sink.while_receiving)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.sink.messages.append(parsed)
        self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailSink:
    """Start it, point the app at (host, port), read `messages` (email.message.EmailMessage)."""

    host = "127.0.0.1"

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        # e.g. "550 5.1.1 Mailbox unavailable": every recipient is refused with it.
        self.reject_recipients_with: str | None = None
        # Called (in a thread) while a message is being received, before it is accepted.
        self.while_receiving: Callable[[], None] | None = None
        self._controller: Controller | None = None

    def start(self) -> "MailSink":
        # The controller makes its event loop when created and closes it when
        # stopped, so it exists only while the server runs.
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def bodies(self, message: EmailMessage) -> tuple[str, str]:
        """(plain text, HTML) of a received message."""
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        return (text.get_content() if text else "", html.get_content() if html else "")
