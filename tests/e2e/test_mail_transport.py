"""How pmd hands mail to the relay (Hardening, "Also"): credentials only travel over TLS."""
from conftest import mail_env, signup, wait_until


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
    assert relay.auth_attempts == [], "credentials went over a plain connection"
    assert relay.count() == 0
    assert "s3cret-pass" not in server.output()

    # The mail stayed queued: a relay without credentials (loopback, so plain is allowed) gets it.
    server.terminate()
    server.env["PMD_SMTP_URL"] = relay.url
    server.start()
    [received] = relay.wait_for_messages(1)
    assert received.rcpt_tos == [email]
