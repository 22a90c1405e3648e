"""A real SMTP server (aiosmtpd) for the end-to-end tests: pmd delivers its mail (invitations,
password resets) to it over SMTP exactly as it would to a production relay, and tests read what
arrived.

    mail = MailServer().start()
    server = PMD(env={"PMD_SMTP_URL": mail.url}).start()
    ...
    message = mail.wait_for(to="someone@example.com", timeout=15)
    token = message.token("/invite")

The `smtp_server` fixture in conftest.py gives one started server per test.
"""
import email
import email.policy
import email.utils
import re
import socket
import threading
import time
import urllib.parse

from aiosmtpd.controller import Controller

DEFAULT_APP_URL = "http://localhost:3000"


class Message:
    """One received mail: the SMTP envelope and the parsed message."""

    def __init__(self, mail_from, rcpt_tos, data: bytes):
        self.mail_from = mail_from
        self.rcpt_tos = [r.lower() for r in rcpt_tos]
        self.raw = data
        self.parsed = email.message_from_bytes(data, policy=email.policy.default)
        self.received_at = time.time()

    @property
    def subject(self):
        return str(self.parsed.get("Subject", ""))

    @property
    def to(self):
        return str(self.parsed.get("To", ""))

    @property
    def sender(self):
        return str(self.parsed.get("From", ""))

    @property
    def recipients(self):
        """Lowercased addresses from the envelope and the To/Cc headers."""
        found = set(self.rcpt_tos)
        for header in ("To", "Cc"):
            for _, address in email.utils.getaddresses([str(v) for v in self.parsed.get_all(header, [])]):
                if address:
                    found.add(address.lower())
        return found

    @property
    def bodies(self):
        """Every text part, decoded (transfer encoding and charset undone)."""
        out = []
        for part in self.parsed.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            try:
                out.append(part.get_content())
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True) or b""
                out.append(payload.decode("utf-8", "replace"))
        return out

    @property
    def body(self):
        """All text parts joined; the plain part first when there is one."""
        return "\n".join(self.bodies)

    def links(self):
        """Every http(s) URL in the text parts (HTML entities undone)."""
        text = self.body.replace("&amp;", "&")
        return re.findall(r"https?://[^\s\"'<>)\]]+", text)

    def link(self, path, app_url=DEFAULT_APP_URL):
        """The first link `app_url + path?…` in the mail, or None."""
        prefix = app_url.rstrip("/") + path
        for url in self.links():
            if url.startswith(prefix + "?") or url == prefix:
                return url
        return None

    def token(self, path, app_url=DEFAULT_APP_URL, param="token"):
        """The `token` query parameter of the link `app_url + path?token=…`, or None."""
        url = self.link(path, app_url)
        if url is None:
            return None
        values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get(param)
        return values[0] if values else None

    def __repr__(self):
        return f"<Message to={sorted(self.recipients)} subject={self.subject!r}>"


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.server._received(Message(envelope.mail_from, envelope.rcpt_tos, data))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """An in-process aiosmtpd server on 127.0.0.1 and a free port, keeping every message."""

    def __init__(self, host="127.0.0.1", port=None):
        self.host = host
        self.port = port
        self.controller = None
        self._messages = []
        self._cond = threading.Condition()

    @property
    def url(self):
        """The value for PMD_SMTP_URL."""
        return f"smtp://{self.host}:{self.port}"

    def start(self):
        last_error = None
        for _ in range(10):
            port = self.port or _free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=port, ready_timeout=10)
            try:
                controller.start()
            except Exception as error:  # the port was taken between probing and binding
                last_error = error
                if self.port:
                    raise
                continue
            self.controller, self.port = controller, port
            return self
        raise RuntimeError(f"could not start the SMTP server: {last_error}")

    def stop(self):
        if self.controller is not None:
            try:
                self.controller.stop()
            finally:
                self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _received(self, message):
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()

    @property
    def messages(self):
        """A snapshot of every message received so far, oldest first."""
        with self._cond:
            return list(self._messages)

    def clear(self):
        with self._cond:
            self._messages.clear()

    def find(self, to=None, predicate=None):
        """Received messages addressed to `to` (case-insensitive) and matching `predicate`."""
        return [m for m in self.messages
                if (to is None or to.lower() in m.recipients) and (predicate is None or predicate(m))]

    def wait_for(self, to=None, timeout=15.0, predicate=None, count=1):
        """The `count`-th message to `to` matching `predicate` (waiting up to `timeout` seconds for
        it); raises AssertionError when it does not arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self._messages
                         if (to is None or to.lower() in m.recipients) and (predicate is None or predicate(m))]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no mail to {to!r} within {timeout}s (received {len(self._messages)} "
                        f"message(s): {self._messages!r})")
                self._cond.wait(remaining)
