"""Session lifetime (SPEC §3 PMD_SESSION_TTL): expiry, renewal on use, and the sweep that
removes expired sessions from memory and disk."""
import json
import time

from conftest import login, signup, wait_until
from pmdserver import run_cli


def test_an_expired_session_answers_401(pmd_factory):
    server = pmd_factory(env={"PMD_SESSION_TTL": "2s"})
    with server.client() as c:
        email, password = signup(c)
        session = login(c, email, password)
        assert c.call("users.me", {"session": session})["email"] == email
        time.sleep(2.3)
        error = c.error("users.me", {"session": session})
        assert (error.code, error.kind) == (401, "unauthorized")
        assert c.error("auth.logout", {"session": session}).code == 401


def test_a_session_in_use_is_renewed(pmd_factory):
    server = pmd_factory(env={"PMD_SESSION_TTL": "4s"})
    with server.client() as c:
        email, password = signup(c)
        session = login(c, email, password)
        time.sleep(2.5)  # past half the lifetime: this use renews
        c.call("users.me", {"session": session})
        time.sleep(2.5)  # 5 s after login, beyond the first expiry
        c.call("users.me", {"session": session})
        time.sleep(4.5)  # unused for longer than a lifetime
        assert c.error("users.me", {"session": session}).code == 401


def test_the_sweep_purges_expired_sessions_from_memory_and_disk(pmd_factory):
    server = pmd_factory(env={"PMD_SESSION_TTL": "2s", "PMD_SWEEP_INTERVAL": "1s"})
    with server.client() as c:
        email, password = signup(c)
        for _ in range(3):
            login(c, email, password)
        assert c.call("system.stats")["sessions"] == 3
        # Nobody touches the sessions again: only the sweep can remove them.
        wait_until(lambda: c.call("system.stats")["sessions"] == 0, timeout=10, what="the sweep")

    tail = run_cli("wal", "tail", "--lines", "50", env={"PMD_DATA_DIR": server.data_dir})
    assert tail.returncode == 0, tail.stderr
    records = [json.loads(line) for line in tail.stdout.splitlines()]
    swept = [op for r in records if r["kind"] == "identity.sweep" for op in r["ops"]]
    assert [op["op"] for op in swept if op["table"] == "sessions"] == ["delete"] * 3

    server.kill()
    server.start()
    with server.client() as c:
        assert c.call("system.stats")["sessions"] == 0
