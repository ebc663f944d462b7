"""A real SMTP server on the loopback interface for integration tests.

``running_smtp_server()`` starts aiosmtpd on 127.0.0.1 with a free port and collects every message
it receives as an ``email.message.EmailMessage``. The ``smtp_server`` fixture also points Django's
SMTP backend at it, so code under test sends mail exactly as in production:

    from participants.tests.smtp_server import smtp_server_fixture  # noqa: F401

    def test_x(smtp_server):
        ...  # code that sends mail
        message = smtp_server.wait_for(1)[0]
"""

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


class CollectingHandler:
    """Keeps what the server receives; ``wait_for`` blocks until enough messages arrived."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._arrived:
            self.envelopes.append(envelope)
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=10):
        """The messages received so far, once there are at least ``count`` (or fail the test)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert arrived, (
            f"expected {count} message(s), the SMTP server received {len(self.messages)}"
        )
        return list(self.messages)

    def sent_to(self, address):
        return [m for m in self.messages if address.lower() in m["To"].lower()]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server():
    """Yield ``(handler, port)`` while an aiosmtpd server listens on 127.0.0.1:port."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname=LOOPBACK, port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    """A real SMTP server; Django's SMTP backend sends to it (plain SMTP, no TLS, no login)."""
    with running_smtp_server() as (handler, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = LOOPBACK
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield handler
