"""Shared helpers for the tenancy end-to-end tests (test_tenancy, test_roles,
test_tenancy_concurrency): accounts, tenants, error assertions, and invitations accepted
through the real SMTP server (the token only travels by mail)."""
import re
import uuid

from conftest import unique_email

PASSWORD = "correct horse battery"
APP_URL = "https://app.penguinmails.test"
MAIL_FROM = "PenguinMails Tests <invites@penguinmails.test>"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, base64url without padding

NO_TENANT = "No tenant context found"
FORBIDDEN = "Forbidden"
CANNOT_REMOVE_SELF = "You cannot remove yourself from the tenant"
MEMBER_NOT_FOUND = "User not found or not a member of this tenant"
ALREADY_MEMBER_OR_INVITED = "User is already a member or has a pending invitation"
LAST_OWNER = "A tenant must keep at least one owner"

COMPANY_KEYS = {"id", "tenantId", "name", "workspaceName", "logoUrl", "status", "createdAt", "updatedAt"}
MEMBER_KEYS = {"userId", "email", "name", "role", "roles", "joinedAt"}


def mail_env(mail):
    """pmd environment delivering to `mail` with recognizable link base and sender."""
    return {"PMD_SMTP_URL": mail.url, "PMD_APP_URL": APP_URL, "PMD_MAIL_FROM": MAIL_FROM}


def random_id():
    return str(uuid.uuid4())


class Account:
    def __init__(self, token, user_id, email, name):
        self.token, self.user_id, self.email, self.name = token, user_id, email, name

    def __repr__(self):
        return f"<Account {self.email}>"


def new_account(c, prefix="user", name=None):
    """Signs a fresh user up and in; the Account's token is a new session."""
    email = unique_email(prefix)
    name = name or prefix.capitalize()
    user = c.call("auth.signup", {"email": email, "password": PASSWORD, "name": name})["user"]
    login = c.call("auth.login", {"email": email, "password": PASSWORD})
    return Account(login["session"]["token"], user["id"], email, name)


def login(c, email):
    """A new session token for `email` (and the login result)."""
    result = c.call("auth.login", {"email": email, "password": PASSWORD})
    return result["session"]["token"], result


def create_tenant(c, token, tenant_name="Acme Agency", company_name="Acme"):
    return c.call("tenants.create", {"session": token, "tenantName": tenant_name, "companyName": company_name})


def new_owner(c, prefix="owner", tenant_name="Acme Agency", company_name="Acme"):
    """(Account, tenants.create result) for a fresh user owning a fresh tenant."""
    account = new_account(c, prefix)
    return account, create_tenant(c, account.token, tenant_name, company_name)


def expect_error(c, method, params, code, kind, message=None):
    """Calls `method`, asserts the error's code, kind (and message) and returns the error object."""
    response = c.request(method, params)
    assert response is not None, f"{method}: connection closed"
    assert "error" in response, f"{method} {params}: expected {code} {kind}, got {response}"
    error = response["error"]
    assert error.get("code") == code, f"{method}: expected code {code}, got {error}"
    assert isinstance(error.get("data"), dict) and error["data"].get("kind") == kind, \
        f"{method}: expected kind {kind}, got {error}"
    if message is not None:
        assert error.get("message") == message, f"{method}: expected message {message!r}, got {error}"
    return error


def expect_validation(c, method, params, *paths):
    """Asserts 400 validation_failed listing exactly the given field paths (each a field name, or
    a tuple/list path; () for the whole params)."""
    error = expect_error(c, method, params, 400, "validation_failed")
    errors = error["data"].get("errors")
    assert isinstance(errors, list) and errors, error
    for e in errors:
        assert isinstance(e.get("path"), list) and isinstance(e.get("message"), str) and e["message"], e
    got = {tuple(e["path"]) for e in errors}
    want = {tuple(p) if isinstance(p, (tuple, list)) else (p,) for p in paths}
    assert got == want, f"{method} {params}: expected errors at {sorted(want)}, got {errors}"
    return error


# --- invitations through the mail -------------------------------------------------------------

class _MailState:
    """Process-wide: once a full wait for an invitation mail timed out while no invitation mail
    has ever arrived in this test run, later waits fail at once (invitation mail is broken
    altogether), so the ~120 tests that need a member do not each wait for the full timeout. As
    soon as one invitation mail arrives, every wait is a real wait again."""
    invitation_seen = False
    gave_up = False


def _is_invitation(message):
    return message.link("/invite", APP_URL) is not None


def invitation_mail(mail, email, nth=1, timeout=20.0):
    """The `nth` invitation mail to `email` (waits for it)."""
    if _MailState.gave_up and not _MailState.invitation_seen:
        raise AssertionError("no invitation mail has arrived in this test run (mail outbox not wired?)")
    try:
        message = mail.wait_for(to=email, timeout=timeout, count=nth, predicate=_is_invitation)
    except AssertionError:
        if not _MailState.invitation_seen and not mail.find(predicate=_is_invitation):
            _MailState.gave_up = True
        raise
    _MailState.invitation_seen = True
    return message


def invitation_token(mail, email, nth=1, timeout=20.0):
    """The token of the `nth` invitation mailed to `email` (from `APP_URL/invite?token=…`)."""
    message = invitation_mail(mail, email, nth, timeout)
    token = message.token("/invite", APP_URL)
    assert token, f"no {APP_URL}/invite?token=… link in {message.body!r}"
    return token


class Invites:
    """Invites people into tenants and accepts through the mailed token. Counts invitations per
    address so the right mail is picked when one address is invited more than once."""

    def __init__(self, mail):
        self.mail = mail
        self.sent = {}

    def invite(self, c, inviter_token, email, role="member"):
        result = c.call("invites.create", {"session": inviter_token, "email": email, "role": role})
        self.sent[email.lower()] = self.sent.get(email.lower(), 0) + 1
        return result

    def token(self, email):
        return invitation_token(self.mail, email, nth=self.sent[email.lower()])

    def add_member(self, c, owner_token, role="member", prefix=None, via_set_role=True):
        """A fresh account that is a member of the owner's active tenant with `role`: invited as
        `member` and then given `role` by the owner with members.setRole (or invited with `role`
        directly when via_set_role is False). The account's session has that tenant active."""
        account = new_account(c, prefix or role)
        self.invite(c, owner_token, account.email, "member" if via_set_role else role)
        accepted = c.call("invites.accept", {"session": account.token, "token": self.token(account.email)})
        if via_set_role and role != "member":
            c.call("members.setRole", {"session": owner_token, "userId": account.user_id, "role": role})
        account.tenant_id = accepted["tenant"]["id"]
        return account

