"""Reset and invitation tokens never reach the disk (SPEC §5.7; Hardening, defect 3). The outbox
holds what a mail is about, not its link: the mailer mints the token when it delivers, commits only
its SHA-256 and keeps the token in memory. So neither the data directory (tables, retained WAL,
LMDB's free pages), nor a `pmd backup`, nor pmd's log holds a token that works — while the links
that arrive by mail still do."""
import os

from conftest import mail_env, wait_until
from pmdserver import run_cli
from tenancyhelpers import APP_URL, MAIL_SETTINGS, login, new_account, new_owner

NEW_PASSWORD = "a brand new passphrase"


def files_under(directory):
    for root, _, names in os.walk(directory):
        for name in names:
            yield os.path.join(root, name)


def secrets_in(directory, needles):
    """Which needles (bytes) occur in any file under `directory`, as `strings` would find them."""
    found = set()
    for path in files_under(directory):
        with open(path, "rb") as f:
            data = f.read()
        found |= {needle for needle in needles if needle in data}
    return found


def backup(server, tmp_path):
    destination = str(tmp_path / "backup")
    result = run_cli("backup", destination, env={"PMD_DATA_DIR": server.data_dir})
    assert result.returncode == 0, result.stderr
    return destination


def assert_nothing_secret(server, tmp_path, tokens):
    needles = {b"token="} | {t.encode() for t in tokens}
    assert not secrets_in(server.data_dir, needles), "a token (or a link) is in the data directory"
    assert not secrets_in(backup(server, tmp_path), needles), "a token (or a link) is in the backup"
    assert not any(t in server.output() for t in tokens), "a token is in pmd's log"


def test_delivered_reset_and_invitation_tokens_are_nowhere_on_disk_and_their_links_work(pmd_factory, mail_server, tmp_path):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    with server.client() as c:
        victim = new_account(c, "victim")
        c.call("auth.forgotPassword", {"email": victim.email})
        owner, _ = new_owner(c)
        invitee = new_account(c, "invitee")
        c.call("invites.create", {"session": owner.token, "email": invitee.email, "role": "admin"})
    reset_mail = mail_server.wait_for(to=victim.email)
    invite_mail = mail_server.wait_for(to=invitee.email)
    reset_token = reset_mail.token("/reset-password", APP_URL)
    invite_token = invite_mail.token("/invite", APP_URL)
    assert reset_token and invite_token
    wait_until(lambda: server.output().count("mail delivered") >= 2, timeout=10, what="deliveries marked")

    assert_nothing_secret(server, tmp_path, [reset_token, invite_token])
    # Also after a clean shutdown, which checkpoints every record into the tables.
    assert server.terminate() == 0
    assert not secrets_in(server.data_dir, {b"token=", reset_token.encode(), invite_token.encode()})
    server.start()
    with server.client() as c:
        c.call("auth.resetPassword", {"token": reset_token, "newPassword": NEW_PASSWORD})
        c.call("auth.login", {"email": victim.email, "password": NEW_PASSWORD})
        session, _ = login(c, invitee.email)
        accepted = c.call("invites.accept", {"session": session, "token": invite_token})
        assert accepted["role"] == "admin"


def test_undelivered_mail_holds_no_token_and_its_links_are_minted_when_it_goes_out(pmd_factory, mail_server_factory, tmp_path):
    relay = mail_server_factory()  # down: every attempt fails
    server = pmd_factory(env=mail_env(relay, **MAIL_SETTINGS))
    with server.client() as c:
        victim = new_account(c, "victim")
        c.call("auth.forgotPassword", {"email": victim.email})
        owner, _ = new_owner(c)
        invitee = new_account(c, "invitee")
        c.call("invites.create", {"session": owner.token, "email": invitee.email, "role": "member"})
    wait_until(lambda: server.output().count("mail delivery failed") >= 2, timeout=20, what="failed attempts")
    assert_nothing_secret(server, tmp_path / "while-down", [])
    with server.client() as c:
        # Nobody has a link yet, so nothing can be accepted; the invitation is pending.
        assert c.call("invites.list", {"session": owner.token})["count"] == 1
    server.kill()

    relay.start()
    server.start()
    reset_token = relay.wait_for(to=victim.email).token("/reset-password", APP_URL)
    invite_token = relay.wait_for(to=invitee.email).token("/invite", APP_URL)
    wait_until(lambda: server.output().count("mail delivered") >= 2, timeout=10, what="deliveries marked")
    assert_nothing_secret(server, tmp_path / "after", [reset_token, invite_token])
    with server.client() as c:
        c.call("auth.resetPassword", {"token": reset_token, "newPassword": NEW_PASSWORD})
        session, _ = login(c, invitee.email)
        c.call("invites.accept", {"session": session, "token": invite_token})


def test_without_a_relay_nothing_holds_a_link_and_the_invitation_waits_for_its_mail(pmd_factory, mail_server_factory, tmp_path):
    server = pmd_factory(env={"PMD_APP_URL": APP_URL})
    with server.client() as c:
        victim = new_account(c, "victim")
        c.call("auth.forgotPassword", {"email": victim.email})
        owner, _ = new_owner(c)
        invitee = new_account(c, "invitee")
        c.call("invites.create", {"session": owner.token, "email": invitee.email, "role": "member"})
    wait_until(lambda: server.output().count("mail kept in the outbox") >= 2, timeout=10, what="outbox log lines")
    assert_nothing_secret(server, tmp_path / "outbox-only", [])
    assert "token=" not in server.output()

    relay = mail_server_factory().start()
    server.terminate()
    server.env.update(mail_env(relay, **MAIL_SETTINGS))
    server.start()
    invite_token = relay.wait_for(to=invitee.email).token("/invite", APP_URL)
    with server.client() as c:
        session, _ = login(c, invitee.email)
        c.call("invites.accept", {"session": session, "token": invite_token})
