"""A real SMTP server (aiosmtpd) for the end-to-end tests: pmd delivers its mail (invitations,
password resets) to it over SMTP exactly as it would to a production relay, and tests read what
arrived.

    mail = MailServer().start()
    server = PMD(env={"PMD_SMTP_URL": mail.url}).start()
    ...
    message = mail.wait_for(to="someone@example.com")
    token = message.token("/invite")
    link, token = message.reset_token()

`reject(address)` makes the server refuse that recipient with a permanent 550 (a relay that
will never take the message), `accept(address)` undoes it; `rejections` lists the refused RCPTs.
`MailServer(offer_auth=True)` advertises AUTH PLAIN/LOGIN without TLS, as a careless relay would,
and records every login attempted in `auth_attempts` (the credentials a client sent in clear).

A server gets its port when it is made (a free one, or the one asked for), so its `url` can be
handed to pmd before it runs: made but not started it plays a relay that is down (connections are
refused), and `start()` later, or again after `stop()`, brings it up on the same port. Messages
are kept across a stop and start.

conftest.py has the fixtures: `mail_server_factory` (servers not started), `mail_server` (one
started server), `mail_env(server, **extra)` (pmd's environment for it) and `mail_pmd`.
"""
import email
import email.policy
import email.utils
import errno
import re
import socket
import threading
import time
import urllib.parse

from aiosmtpd.controller import Controller

DEFAULT_APP_URL = "http://localhost:3000"
DEFAULT_TIMEOUT = 30.0

# The reset link in the plain-text part of a password reset mail, and its token.
RESET_LINK = re.compile(r"(https?://\S+?/reset-password\?token=([A-Za-z0-9_-]{43}))")


class Message:
    """One received mail: the SMTP envelope (as sent) and the parsed message."""

    def __init__(self, mail_from, rcpt_tos, data: bytes):
        self.mail_from = mail_from  # the envelope sender, as given in MAIL FROM
        self.rcpt_tos = list(rcpt_tos)  # the envelope recipients, as given in RCPT TO
        self.raw = data  # the message bytes, exactly as received
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
        found = {r.lower() for r in self.rcpt_tos}
        for header in ("To", "Cc"):
            for _, address in email.utils.getaddresses([str(v) for v in self.parsed.get_all(header, [])]):
                if address:
                    found.add(address.lower())
        return found

    def parts(self):
        """{content type: decoded text} of the parts of a multipart (e.g. multipart/alternative)
        message."""
        return {part.get_content_type(): part.get_content() for part in self.parsed.iter_parts()}

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

    def reset_token(self):
        """(link, token) of the reset link in the plain-text part of a password reset mail; the
        token is 43 base64url characters. Fails the test when there is no such link."""
        text = self.parts()["text/plain"]
        match = RESET_LINK.search(text)
        assert match, f"no reset link in:\n{text}"
        return match.group(1), match.group(2)

    def __repr__(self):
        return f"<Message to={sorted(self.recipients)} subject={self.subject!r}>"


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if self.server._rejects(address):
            return "550 5.1.1 Recipient rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.server._received(Message(envelope.mail_from, envelope.rcpt_tos, data))
        return "250 Message accepted for delivery"


def _free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _can_bind(host, port):
    """Whether a listening server could bind (host, port) now (asyncio sets SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
        return True


class MailServer:
    """An in-process aiosmtpd server on loopback, keeping every message it accepts.

    The port is fixed when the server is made: `port` if given, else a free one. `start()` may
    come later (until then connections are refused) and may follow a `stop()`: the server comes
    back on the same port with the messages it already had."""

    def __init__(self, host="127.0.0.1", port=None, offer_auth=False):
        self.host = host
        self.offer_auth = offer_auth
        self.auth_attempts = []  # (mechanism, login, password) as the client sent them
        self.rejections = []  # recipients refused with 550, one entry per RCPT
        self._rejected = set()
        self._port = port or _free_port(host)
        # Once the port was asked for, read (url/port) or bound, it never changes; before that a
        # free port taken by someone else in the meantime is swapped for another one.
        self._pinned = port is not None
        self.controller = None
        self._messages = []
        self._cond = threading.Condition()

    @property
    def port(self):
        self._pinned = True
        return self._port

    @property
    def url(self):
        """The value for PMD_SMTP_URL."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def running(self):
        return self.controller is not None

    def start(self):
        """Listens on the server's port (again, after a stop). Returns the server."""
        if self.controller is not None:
            return self
        for _ in range(10):
            if not _can_bind(self.host, self._port):
                if self._pinned:
                    raise OSError(errno.EADDRINUSE, f"port {self._port} on {self.host} is in use")
                self._port = _free_port(self.host)
                continue
            auth = {"authenticator": self._authenticate, "auth_require_tls": False} if self.offer_auth else {}
            controller = Controller(_Handler(self), hostname=self.host, port=self._port, ready_timeout=10, **auth)
            try:
                controller.start()
            except OSError:  # the port was taken between probing and binding
                if self._pinned:
                    raise
                self._port = _free_port(self.host)
                continue
            self.controller, self._pinned = controller, True
            return self
        raise RuntimeError(f"could not start the SMTP server on {self.host}")

    def stop(self):
        """Stops listening (connections are refused again); the messages are kept."""
        if self.controller is not None:
            try:
                self.controller.stop()
            finally:
                self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reject(self, address):
        """Refuse mail to `address` (case-insensitive) with a permanent 550 from now on."""
        with self._cond:
            self._rejected.add(address.lower())

    def accept(self, address):
        """Take mail to `address` again."""
        with self._cond:
            self._rejected.discard(address.lower())

    def _rejects(self, address):
        with self._cond:
            refused = address.lower() in self._rejected
            if refused:
                self.rejections.append(address.lower())
            return refused

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        login = getattr(auth_data, "login", b"")
        password = getattr(auth_data, "password", b"")
        with self._cond:
            self.auth_attempts.append((mechanism, login.decode(errors="replace"), password.decode(errors="replace")))
        return AuthResult(success=True)

    def _received(self, message):
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()

    @property
    def messages(self):
        """A snapshot of every message received so far, oldest first."""
        with self._cond:
            return list(self._messages)

    def count(self):
        """How many messages were received so far."""
        with self._cond:
            return len(self._messages)

    def clear(self):
        with self._cond:
            self._messages.clear()

    @staticmethod
    def _matches(message, to, predicate):
        return (to is None or to.lower() in message.recipients) and (predicate is None or predicate(message))

    def find(self, to=None, predicate=None):
        """Received messages addressed to `to` (case-insensitive) and matching `predicate`."""
        return [m for m in self.messages if self._matches(m, to, predicate)]

    def wait_for_messages(self, count=1, to=None, timeout=DEFAULT_TIMEOUT, predicate=None):
        """The first `count` messages (oldest first) to `to` matching `predicate`, waiting up to
        `timeout` seconds for them; raises AssertionError when they do not all arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self._messages if self._matches(m, to, predicate)]
                if len(found) >= count:
                    return found[:count]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) to {to!r} within {timeout}s, got {len(found)} "
                        f"(received {len(self._messages)} message(s): {self._messages!r})")
                self._cond.wait(remaining)

    def wait_for(self, to=None, timeout=DEFAULT_TIMEOUT, predicate=None, count=1):
        """The `count`-th message to `to` matching `predicate` (waiting up to `timeout` seconds for
        it); raises AssertionError when it does not arrive."""
        return self.wait_for_messages(count, to, timeout, predicate)[count - 1]
