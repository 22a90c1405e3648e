"""How pmd hands mail to the relay (Hardening, "Also"): credentials only travel over TLS, and a
message the relay refuses for good is set aside as a dead letter after a few tries instead of
being retried forever — durable, visible in health and metrics, and operable with `pmd mail`."""
import json
import re

from conftest import login, mail_env, signup, wait_until
from pmdserver import run_cli
from tenancyhelpers import APP_URL, MAIL_SETTINGS

NEW_PASSWORD = "a brand new passphrase"
DEAD_AFTER = 5


def health(server):
    with server.client() as c:
        return c.call("system.health")


def test_credentials_are_never_sent_to_a_relay_without_starttls(pmd_factory, mail_server_factory):
    relay = mail_server_factory(offer_auth=True).start()  # offers AUTH in clear, no STARTTLS
    url = f"smtp://mailer:s3cret-pass@127.0.0.1:{relay.port}"
    server = pmd_factory(env=mail_env(relay, PMD_SMTP_URL=url))
    with server.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
    failing = wait_until(lambda: (h := health(server))["mail"] == "failing" and h, timeout=20, what="mail failing")
    assert failing["status"] == "degraded"
    assert failing["mailOutbox"] == {"queued": 1, "dead": 0}
    assert relay.auth_attempts == [], "credentials went over a plain connection"
    assert relay.count() == 0
    assert "s3cret-pass" not in server.output()

    # The mail stayed queued: a relay without credentials (loopback, so plain is allowed) gets it.
    server.terminate()
    server.env["PMD_SMTP_URL"] = relay.url
    server.start()
    [received] = relay.wait_for_messages(1)
    assert received.rcpt_tos == [email]


def pmd_mail(server, *args):
    result = run_cli("mail", *args, env={"PMD_RPC_ADDR": f"127.0.0.1:{server.rpc_port}"})
    return result


def listed(server):
    result = pmd_mail(server, "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def metric(server, name):
    status, body, _ = server.http("/metrics")
    assert status == 200
    match = re.search(rf"^{name} (\S+)$", body.decode(), re.M)
    return float(match.group(1)) if match else None


def test_a_permanently_refused_mail_becomes_a_dead_letter_that_an_operator_can_retry_or_drop(pmd_factory, mail_server, tmp_path):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS))
    with server.client() as c:
        bounced, _ = signup(c, prefix="bounced")
        dropped, _ = signup(c, prefix="dropped")
        mail_server.reject(bounced)
        mail_server.reject(dropped)
        c.call("auth.forgotPassword", {"email": bounced})
        c.call("auth.forgotPassword", {"email": dropped})
    dead = wait_until(lambda: (h := health(server))["mailOutbox"]["dead"] == 2 and h, timeout=60, what="two dead letters")
    assert dead["mailOutbox"]["queued"] == 0
    assert mail_server.rejections.count(bounced) == DEAD_AFTER
    assert metric(server, "pmd_mail_dead_letters") == 2

    entries = {e["to"]: e for e in listed(server)["mail"]}
    assert set(entries) == {bounced, dropped}
    for entry in entries.values():
        assert entry["state"] == "dead" and entry["kind"] == "passwordReset" and entry["attempts"] == DEAD_AFTER
        assert "550" in entry["lastError"]
    text = pmd_mail(server, "list")
    assert text.returncode == 0 and entries[bounced]["id"] in text.stdout and "dead" in text.stdout

    # Dead letters are durable and are not retried by a restart.
    server.kill()
    server.start()
    assert health(server)["mailOutbox"] == {"queued": 0, "dead": 2}
    assert {e["state"] for e in listed(server)["mail"]} == {"dead"}
    assert mail_server.rejections.count(bounced) == DEAD_AFTER
    assert b"token=" not in open(f"{server.data_dir}/data.mdb", "rb").read()

    mail_server.accept(bounced)
    retried = pmd_mail(server, "retry", entries[bounced]["id"])
    assert retried.returncode == 0, retried.stderr
    _, token = mail_server.wait_for(to=bounced).reset_token()
    with server.client() as c:
        c.call("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
        login(c, bounced, NEW_PASSWORD)

    assert pmd_mail(server, "drop", entries[dropped]["id"]).returncode == 0
    wait_until(lambda: listed(server)["mail"] == [], timeout=10, what="an empty outbox")
    assert health(server)["mailOutbox"] == {"queued": 0, "dead": 0}
    assert metric(server, "pmd_mail_dead_letters") == 0
    missing = pmd_mail(server, "drop", entries[dropped]["id"])
    assert missing.returncode == 1 and "not found" in (missing.stdout + missing.stderr).lower()
