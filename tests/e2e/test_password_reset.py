"""Forgotten passwords end to end (SPEC §6.2, §6.6): the reset mail goes through a real SMTP
server, its link is followed, and the token's single use holds across a restart."""
import json
import time

from conftest import APP_URL, login, mail_env, signup, unique_email

FORGOT_ANSWER = {
    "success": True,
    "message": "If an account with that email exists, a password reset link has been sent.",
}
NEW_PASSWORD = "a brand new passphrase"


def test_forgot_mail_reset_login_and_the_token_stays_used_after_restart(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        email, old_password = signup(c)
        assert c.call("auth.forgotPassword", {"email": email.upper()}) == FORGOT_ANSWER

        [received] = mail_server.wait_for_messages(1)
        assert received.rcpt_tos == [email]
        assert received.mail_from == "no-reply@penguinmails.test"
        message = received.parsed
        for header in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version"):
            assert message[header], f"missing {header}"
        assert message["To"] == email
        assert message["From"] == "PenguinMails <no-reply@penguinmails.test>"
        assert message["Subject"] == "Reset your PenguinMails password"
        assert message.get_content_type() == "multipart/alternative"
        bodies = received.parts()
        assert set(bodies) == {"text/plain", "text/html"}
        link, token = received.reset_token()
        assert link == f"{APP_URL}/reset-password?token={token}"
        assert link in bodies["text/html"]
        assert b"\r\n" in received.raw and b"\n" not in received.raw.replace(b"\r\n", b"")

        answer = c.call("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
        assert answer["success"] is True and answer["message"]
        login(c, email, NEW_PASSWORD)
        old = c.error("auth.login", {"email": email, "password": old_password})
        assert (old.code, old.message) == (401, "Invalid email or password")
        again = c.error("auth.resetPassword", {"token": token, "newPassword": "yet another password"})
        assert (again.code, again.kind, again.message) == (400, "bad_request", "Invalid or expired reset token")

    mail_pmd.kill()
    mail_pmd.start()
    with mail_pmd.client() as c:
        used = c.error("auth.resetPassword", {"token": token, "newPassword": "yet another password"})
        assert (used.code, used.kind, used.message) == (400, "bad_request", "Invalid or expired reset token")
        login(c, email, NEW_PASSWORD)


def test_reset_ends_every_session_of_the_user(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        email, password = signup(c)
        sessions = [login(c, email, password) for _ in range(3)]
        bystander_email, bystander_password = signup(c)
        bystander = login(c, bystander_email, bystander_password)
        c.call("auth.forgotPassword", {"email": email})
        _, token = mail_server.wait_for_messages(1)[0].reset_token()
        c.call("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
        for session in sessions:
            error = c.error("users.me", {"session": session})
            assert (error.code, error.kind) == (401, "unauthorized")
        assert c.call("users.me", {"session": bystander})["email"] == bystander_email


def test_a_newer_reset_mail_replaces_the_older_link(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        email, _ = signup(c)
        c.call("auth.forgotPassword", {"email": email})
        c.call("auth.forgotPassword", {"email": email})
        first, second = mail_server.wait_for_messages(2)
        _, old_token = first.reset_token()
        _, new_token = second.reset_token()
        assert old_token != new_token
        assert c.error("auth.resetPassword", {"token": old_token, "newPassword": NEW_PASSWORD}).code == 400
        c.call("auth.resetPassword", {"token": new_token, "newPassword": NEW_PASSWORD})
        login(c, email, NEW_PASSWORD)


def test_forgot_password_answer_is_byte_identical_for_known_and_unknown_emails(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        known, _ = signup(c)
        lines = []
        for address in (known, unique_email("nobody"), known.upper(), unique_email("ghost")):
            c.send_line({"jsonrpc": "2.0", "id": 7, "method": "auth.forgotPassword", "params": {"email": address}})
            lines.append(c.read_raw_line())
        assert len(set(lines)) == 1, lines
        assert json.loads(lines[0])["result"] == FORGOT_ANSWER
        # Only the known address got mail (two requests, two mails).
        assert len(mail_server.wait_for_messages(2)) == 2
        time.sleep(0.5)
        assert mail_server.count() == 2
        assert all(m.rcpt_tos == [known] for m in mail_server.messages)


def test_forgot_password_errors(mail_pmd):
    with mail_pmd.client() as c:
        malformed = c.error("auth.forgotPassword", {"email": "not-an-address"})
        assert (malformed.code, malformed.kind) == (400, "validation_failed")
        assert malformed.data["errors"] == [{"path": ["email"], "message": "Invalid email address"}]
        missing = c.error("auth.forgotPassword", {})
        assert (missing.code, missing.kind) == (400, "validation_failed")
        wrong_type = c.error("auth.forgotPassword", {"email": 42})
        assert wrong_type.code == 400
        typo = c.error("auth.forgotPassword", {"email": "a@example.com", "emial": "x"})
        assert typo.data["errors"] == [{"path": ["emial"], "message": "Unknown parameter"}]


def test_reset_password_errors(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        for token in ("", "unknown-token", "A" * 43):
            error = c.error("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
            assert (error.code, error.kind, error.message) == (400, "bad_request", "Invalid or expired reset token")
        email, password = signup(c)
        c.call("auth.forgotPassword", {"email": email})
        _, token = mail_server.wait_for_messages(1)[0].reset_token()
        short = c.error("auth.resetPassword", {"token": token, "newPassword": "short"})
        assert (short.code, short.kind) == (400, "validation_failed")
        assert short.data["errors"] == [{"path": ["newPassword"], "message": "Password must be at least 8 characters"}]
        missing = c.error("auth.resetPassword", {"token": token})
        assert missing.data["errors"] == [{"path": ["newPassword"], "message": "Required"}]
        # A refused request leaves the token usable.
        c.call("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})


def test_an_expired_reset_token_is_refused(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, PMD_RESET_TTL="2s"))
    with server.client() as c:
        email, password = signup(c)
        c.call("auth.forgotPassword", {"email": email})
        _, token = mail_server.wait_for_messages(1)[0].reset_token()
        time.sleep(2.5)
        error = c.error("auth.resetPassword", {"token": token, "newPassword": NEW_PASSWORD})
        assert (error.code, error.kind, error.message) == (400, "bad_request", "Invalid or expired reset token")
        login(c, email, password)


def test_rpc_methods_describes_the_password_methods(client):
    methods = {m["name"]: m for m in client.call("rpc.methods")["methods"]}
    params = lambda name: [(p["name"], p["required"]) for p in methods[name]["params"]]
    assert params("auth.forgotPassword") == [("email", True)]
    assert params("auth.resetPassword") == [("token", True), ("newPassword", True)]
    assert params("users.changePassword") == [("session", True), ("currentPassword", True), ("newPassword", True)]
    assert methods["users.changePassword"]["session"] is True
    assert methods["auth.resetPassword"]["session"] is False
