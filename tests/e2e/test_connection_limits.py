"""Connection limits (issue: hardening): PMD_MAX_CONNECTIONS, PMD_IDLE_TIMEOUT on both listeners,
and accept failures at the file-descriptor limit, which must pause and be logged rather than
spin a core — each against the real binary."""
import json
import resource
import socket
import time

from conftest import wait_until
from pmdserver import run_cli


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def stats(server):
    with server.client() as c:
        return c.call("system.stats")["connections"]


def test_connections_over_the_limit_are_told_why_and_closed(pmd_factory):
    server = pmd_factory(env={"PMD_MAX_CONNECTIONS": "4"})
    held = [server.client() for _ in range(4)]
    try:
        for c in held:
            assert c.call("system.ping") == {"pong": True}
        for _ in range(2):
            with server.client() as refused:
                answer = refused.read_line()
                assert answer["error"]["code"] == 503
                assert answer["error"]["message"] == "Too many connections"
                assert answer["error"]["data"]["kind"] == "unavailable"
                assert refused.is_closed()
        counts = held[0].call("system.stats")["connections"]
        assert counts["open"] == 4 and counts["refused"] == 2, counts
        status, body, _ = server.http("/metrics")
        assert 'pmd_connection_events_total{event="refused"} 2' in body.decode()
        held.pop().close()

        def admitted():
            c = server.client()
            answer = c.request("system.ping")
            if answer and "result" in answer:
                return c
            c.close()
            return None
        held.append(wait_until(admitted, what="a freed slot to be reused"))
    finally:
        for c in held:
            c.close()


def test_an_idle_rpc_connection_is_closed_and_a_busy_one_is_not(pmd_factory):
    server = pmd_factory(env={"PMD_IDLE_TIMEOUT": "2s"})
    silent = server.client()
    chatty = server.client()
    started = time.time()
    for _ in range(8):
        assert chatty.call("system.ping") == {"pong": True}
        time.sleep(0.5)
    assert silent.is_closed(wait=3), "a connection that sent nothing for 2 s must be closed"
    assert time.time() - started >= 2
    assert chatty.call("system.ping") == {"pong": True}, "a connection sending every 0.5 s stays open"
    chatty.close()
    assert stats(server)["idleClosed"] >= 1


def test_an_idle_http_connection_is_closed(pmd_factory):
    server = pmd_factory(env={"PMD_IDLE_TIMEOUT": "2s"})
    sock = socket.create_connection(("127.0.0.1", server.http_port))
    sock.settimeout(10)
    started = time.time()
    assert sock.recv(1) == b"", "pmd must close an HTTP connection that sends nothing"
    assert 1.5 <= time.time() - started < 8
    sock.close()


def test_idle_timeout_off_keeps_connections(pmd_factory):
    server = pmd_factory(env={"PMD_IDLE_TIMEOUT": "off"})
    with server.client() as c:
        time.sleep(1.5)
        assert c.call("system.ping") == {"pong": True}


def test_limits_are_checked_at_start():
    for name, value in [("PMD_MAX_CONNECTIONS", "0"), ("PMD_MAX_CONNECTIONS", "many"), ("PMD_IDLE_TIMEOUT", "0s"),
                        ("PMD_IDLE_TIMEOUT", "never")]:
        result = run_cli("check-config", env={name: value})
        assert result.returncode == 2, (name, value, result.stdout, result.stderr)
        assert name in result.stderr


def test_out_of_file_descriptors_pauses_accepting_logs_and_recovers(pmd_factory):
    """Under `ulimit -n 64` (soft and hard, so pmd cannot raise it), 100 connections run the
    process out of descriptors. Accepting must pause (not spin a core), say so in the log, and
    resume once descriptors are free again."""
    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    server = pmd_factory(preexec_fn=low_limit)
    sockets = []
    try:
        for _ in range(100):
            sockets.append(socket.create_connection(("127.0.0.1", server.rpc_port), timeout=5))
        time.sleep(1.5)
        before = cpu_seconds(server.proc.pid)
        time.sleep(3)
        used = cpu_seconds(server.proc.pid) - before
        assert used < 0.6, f"pmd used {used:.2f} s of CPU in 3 s while out of file descriptors"
        wait_until(lambda: "accepting a connection failed" in server.output(), timeout=10, what="a log line")
    finally:
        for s in sockets:
            s.close()
    # Once descriptors are free the listener serves again (after at most its pause).
    def served():
        try:
            with server.client(timeout=5) as c:
                return c.call("system.ping") == {"pong": True}
        except OSError:
            return False
    wait_until(served, timeout=15, what="pmd to accept again")
    assert stats(server)["acceptErrors"] >= 1
