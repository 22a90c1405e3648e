"""Mail delivery (SPEC §6.6): a relay outage delays mail and loses none, also across kill -9;
without a relay mail stays in the outbox; system.health tells which."""
from conftest import APP_URL, login, mail_env, signup, wait_until
from pmdserver import run_cli

NEW_PASSWORD = "a brand new passphrase"


def health(server):
    with server.client() as c:
        return c.call("system.health")


def test_mail_requested_while_the_relay_is_down_arrives_after_kill_9_and_restart(pmd_factory, mail_server_factory):
    relay = mail_server_factory()  # not started: connections are refused
    server = pmd_factory(env=mail_env(relay))
    with server.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
    wait_until(lambda: "mail delivery failed" in server.output(), timeout=10, what="a failed attempt")
    server.kill()

    relay.start()
    server.start()
    [received] = relay.wait_for_messages(1)
    assert received.rcpt_tos == [email]
    _, token = received.reset_token()
    with server.client() as c:
        c.call("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
        login(c, email, NEW_PASSWORD)


def test_mail_is_retried_when_the_relay_comes_up_later_without_restart(pmd_factory, mail_server_factory):
    relay = mail_server_factory()
    server = pmd_factory(env=mail_env(relay))
    assert health(server)["mail"] == "ok"
    with server.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
    failing = wait_until(lambda: (h := health(server))["mail"] == "failing" and h, timeout=20, what="mail failing")
    assert failing["status"] == "degraded"

    relay.start()
    [received] = relay.wait_for_messages(1, timeout=30)
    assert received.rcpt_tos == [email]
    recovered = wait_until(lambda: (h := health(server))["mail"] == "ok" and h, timeout=10, what="mail ok")
    assert recovered["status"] == "ok"


def test_delivered_mail_is_not_sent_again_after_a_restart(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
    mail_server.wait_for_messages(1)
    wait_until(lambda: "mail delivered" in mail_pmd.output(), timeout=10, what="delivery logged")
    assert mail_pmd.terminate() == 0
    mail_pmd.start()
    with mail_pmd.client() as c:
        email2, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email2})
    second = mail_server.wait_for_messages(2)[1]
    assert second.rcpt_tos == [email2], "the first mail was not sent a second time"
    assert mail_server.count() == 2


def test_without_a_relay_mail_stays_in_the_outbox_until_one_is_configured(pmd_factory, mail_server_factory):
    server = pmd_factory(env={"PMD_APP_URL": APP_URL})
    first = health(server)
    assert (first["mail"], first["status"]) == ("outbox-only", "ok")
    assert "PMD_SMTP_URL is unset" in server.output()
    with server.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
    wait_until(lambda: "mail kept in the outbox" in server.output(), timeout=10, what="the outbox log line")
    assert "reset-password?token=" not in server.output(), "the link is a secret: never logged"
    assert server.terminate() == 0
    tail = run_cli("wal", "tail", "--lines", "20", env={"PMD_DATA_DIR": server.data_dir})
    assert '"table":"outbox"' in tail.stdout.replace(" ", "")
    assert "reset-password" not in tail.stdout, "pmd wal tail never prints the link"

    relay = mail_server_factory().start()
    server.env.update(mail_env(relay))
    server.start()
    [received] = relay.wait_for_messages(1)
    assert received.rcpt_tos == [email]
    received.reset_token()
    assert health(server)["mail"] == "ok"


def test_a_mail_whose_invitation_was_revoked_before_it_went_out_is_not_sent(pmd_factory, mail_server_factory):
    """Links are minted at delivery: an invitation revoked while its mail waited for the relay
    has no link to mint, so the mail is dropped from the outbox instead of sending a dead link."""
    relay = mail_server_factory()
    server = pmd_factory(env=mail_env(relay))
    with server.client() as c:
        email, password = signup(c)
        owner = login(c, email, password)
        c.call("tenants.create", {"session": owner, "tenantName": "Acme", "companyName": "Acme"})
        invitee = "wrong-address@example.com"
        invitation = c.call("invites.create", {"session": owner, "email": invitee, "role": "member"})["invitation"]
        assert [m["kind"] for m in c.call("mail.list")["mail"]] == ["invitation"]
        c.call("invites.revoke", {"session": owner, "invitationId": invitation["id"]})
        other, _ = signup(c)
        c.call("auth.forgotPassword", {"email": other})
    relay.start()
    [received] = relay.wait_for_messages(1)
    assert received.rcpt_tos == [other]
    wait_until(lambda: "mail not sent" in server.output(), timeout=10, what="the dropped invitation mail")
    assert relay.find(to=invitee) == []
    with server.client() as c:
        wait_until(lambda: c.call("mail.list")["mail"] == [], timeout=10, what="an empty outbox")


def test_without_a_relay_mail_list_shows_what_waits_without_any_link(pmd_factory):
    server = pmd_factory(env={"PMD_APP_URL": APP_URL})
    with server.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
        listed = wait_until(lambda: (r := c.call("mail.list"))["count"] == 1 and r, timeout=10, what="the mail listed")
    [entry] = listed["mail"]
    assert (entry["kind"], entry["to"], entry["state"], entry["attempts"]) == ("passwordReset", email, "queued", 0)
    assert entry["subject"] == "Reset your PenguinMails password"
    assert "token" not in str(listed)
    assert health(server)["mailOutbox"] == {"queued": 1, "dead": 0}
