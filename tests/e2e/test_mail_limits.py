"""Mail is limited per recipient address and per tenant (Hardening, defect 2): a client that loops
over auth.forgotPassword or invites.create/invites.revoke cannot make pmd mail an address (or
anybody, in a tenant's name) without bound. The limits are durable: a restart does not reset them.
Mails are counted where they arrive, at a real SMTP server."""
import json
import time

from conftest import APP_URL, mail_env, signup, unique_email
from tenancyhelpers import MAIL_SETTINGS, new_owner

FORGOT_ANSWER = {
    "success": True,
    "message": "If an account with that email exists, a password reset link has been sent.",
}
RESETS_PER_ADDRESS = 3
INVITES_PER_ADDRESS = 5
INVITES_PER_TENANT = 50
HOUR = 3600


def pipelined_forgot(c, addresses):
    """Sends one auth.forgotPassword per address before reading, returns the raw answer lines."""
    for i, address in enumerate(addresses):
        c.send_line({"jsonrpc": "2.0", "id": 7, "method": "auth.forgotPassword", "params": {"email": address}})
    return [c.read_raw_line() for _ in addresses]


def settle(mail_server, expected, quiet=1.5):
    """Waits for `expected` messages, then a little longer to catch any that should not come."""
    mail_server.wait_for_messages(expected, timeout=30)
    time.sleep(quiet)
    return mail_server.count()


def test_forgot_password_mails_an_address_at_most_three_times_an_hour_also_after_a_restart(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server))
    with server.client() as c:
        victim, _ = signup(c)
        lines = pipelined_forgot(c, [victim] * 50 + [unique_email("nobody")])
    # Known, unknown and over-limit addresses get the very same bytes: the limit is no oracle.
    assert len(set(lines)) == 1, set(lines)
    assert json.loads(lines[0])["result"] == FORGOT_ANSWER
    assert settle(mail_server, RESETS_PER_ADDRESS) == RESETS_PER_ADDRESS
    assert all(m.rcpt_tos == [victim] for m in mail_server.messages)

    assert server.terminate() == 0
    server.start()
    with server.client() as c:
        again = pipelined_forgot(c, [victim] * 5)
        assert set(again) == set(lines)
        other, _ = signup(c)
        c.call("auth.forgotPassword", {"email": other})
    # Only the other address's mail arrives: the victim's count survived the restart.
    [extra] = mail_server.wait_for_messages(RESETS_PER_ADDRESS + 1)[RESETS_PER_ADDRESS:]
    assert extra.rcpt_tos == [other]
    time.sleep(1.5)
    assert mail_server.count() == RESETS_PER_ADDRESS + 1


def test_the_latest_reset_link_within_the_limit_works(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server))
    with server.client() as c:
        email, _ = signup(c)
        for _ in range(RESETS_PER_ADDRESS + 2):
            c.call("auth.forgotPassword", {"email": email})
        messages = mail_server.wait_for_messages(RESETS_PER_ADDRESS)
        _, token = messages[-1].reset_token()
        c.call("auth.resetPassword", {"token": token, "newPassword": "a brand new passphrase"})


def rate_limited(error):
    assert (error.code, error.kind) == (429, "rate_limited"), error.error
    retry_after = error.data["retryAfter"]
    assert isinstance(retry_after, int) and 0 < retry_after <= HOUR, error.data
    return retry_after


def test_invitations_to_one_address_are_limited_across_tenants_also_after_a_restart(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    victim = unique_email("victim")
    with server.client() as c:
        owner, created = new_owner(c, "spammer", "Claim your prize at evil.example")
        for n in range(1, INVITES_PER_ADDRESS + 1):
            invitation = c.call("invites.create", {"session": owner.token, "email": victim, "role": "member"})["invitation"]
            # Waiting for each mail: a mail whose invitation is revoked before it goes out is not sent.
            mail_server.wait_for_messages(n, to=victim)
            c.call("invites.revoke", {"session": owner.token, "invitationId": invitation["id"]})
        rate_limited(c.error("invites.create", {"session": owner.token, "email": victim, "role": "member"}))
        # Another tenant (another inviter) cannot mail the address either: the limit is the address's.
        other_owner, _ = new_owner(c, "other", "Another Agency")
        rate_limited(c.error("invites.create", {"session": other_owner.token, "email": victim.upper(), "role": "viewer"}))
        # Other addresses are not affected.
        c.call("invites.create", {"session": owner.token, "email": unique_email("fine"), "role": "member"})

    server.kill()
    server.start()
    with server.client() as c:
        rate_limited(c.error("invites.create", {"session": owner.token, "email": victim, "role": "member"}))
    time.sleep(1.5)
    assert len(mail_server.find(to=victim)) == INVITES_PER_ADDRESS


def test_a_tenant_sends_at_most_fifty_invitations_an_hour_also_after_a_restart(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    with server.client() as c:
        owner, _ = new_owner(c, "busy")
        for i in range(INVITES_PER_TENANT):
            c.send_line({"jsonrpc": "2.0", "id": i, "method": "invites.create",
                         "params": {"session": owner.token, "email": unique_email(f"lead{i}-"), "role": "viewer"}})
        answers = [c.read_line() for _ in range(INVITES_PER_TENANT)]
        assert all("result" in a for a in answers), [a for a in answers if "error" in a][:3]
        rate_limited(c.error("invites.create", {"session": owner.token, "email": unique_email("one-more"), "role": "viewer"}))
    assert settle(mail_server, INVITES_PER_TENANT) == INVITES_PER_TENANT

    assert server.terminate() == 0
    server.start()
    with server.client() as c:
        rate_limited(c.error("invites.create", {"session": owner.token, "email": unique_email("after"), "role": "viewer"}))
        # A refused invitation leaves nothing behind.
        assert c.call("invites.list", {"session": owner.token})["count"] == INVITES_PER_TENANT
