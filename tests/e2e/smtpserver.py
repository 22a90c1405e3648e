"""A real SMTP server for the tests: aiosmtpd on loopback, keeping every message it accepts."""
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Keep:
    def __init__(self, owner):
        self.owner = owner

    async def handle_DATA(self, server, session, envelope):
        with self.owner.lock:
            self.owner.messages.append({
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.original_content or envelope.content,
            })
            self.owner.arrived.notify_all()
        return "250 OK: kept"


class SMTPServer:
    """An SMTP relay on a fixed loopback port, which may be started late and stopped early, so
    tests can have a relay that is down and comes up later."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def count(self):
        with self.lock:
            return len(self.messages)

    def wait_for(self, count=1, timeout=30.0):
        """The first `count` messages, waiting up to `timeout` seconds for them to arrive."""
        deadline = time.time() + timeout
        with self.lock:
            while len(self.messages) < count:
                left = deadline - time.time()
                assert left > 0, f"expected {count} message(s), got {len(self.messages)} in {timeout}s"
                self.arrived.wait(left)
            return list(self.messages[:count])
