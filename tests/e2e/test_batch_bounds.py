"""Batches are bounded and streamed (SPEC §4, §5.5): a batch's answers are written as they are
produced and flow-controlled like any other reply, so a batch whose reply is far larger than its
line cannot make pmd hold that reply in memory, and other connections keep being served."""
import json
import socket
import statistics
import struct
import threading
import time

import pytest

from conftest import signup, login
from pmdserver import PMD

MAX_BATCH = 1000


@pytest.fixture(scope="module")
def server():
    s = PMD().start()
    yield s
    s.cleanup()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def batch_line(method, count, params=None, first_id=0):
    calls = [{"jsonrpc": "2.0", "method": method, "id": first_id + i, **({"params": params} if params else {})}
             for i in range(count)]
    return json.dumps(calls, separators=(",", ":")).encode() + b"\n"


def read_until_newline(sock, timeout=60):
    sock.settimeout(timeout)
    chunks = []
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise AssertionError("pmd closed the connection")
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)


def test_a_batch_answers_every_request_in_order_and_leaves_out_notifications(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port)) as sock:
        calls = []
        for i in range(MAX_BATCH):
            if i % 7 == 3:
                calls.append({"method": "system.ping"})  # a notification: executed, not answered
            elif i % 11 == 5:
                calls.append({"method": "no.such", "id": f"s{i}"})
            else:
                calls.append({"method": "system.ping", "id": i})
        sock.sendall(json.dumps(calls).encode() + b"\n")
        reply = read_until_newline(sock)
        assert reply.count(b"\n") == 1, "a batch is answered on exactly one line"
        answers = json.loads(reply)
        expected_ids = [c["id"] for c in calls if "id" in c]
        assert [a["id"] for a in answers] == expected_ids
        for call, answer in zip([c for c in calls if "id" in c], answers):
            if call["method"] == "no.such":
                assert answer["error"]["code"] == -32601
            else:
                assert answer["result"] == {"pong": True}
        # The connection goes on serving single requests afterwards.
        sock.sendall(b'{"method":"system.ping","id":"after"}\n')
        assert json.loads(read_until_newline(sock)) == {"jsonrpc": "2.0", "result": {"pong": True}, "id": "after"}


def test_a_batch_of_only_notifications_gets_no_answer(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port)) as sock:
        sock.sendall(json.dumps([{"method": "system.ping"}] * 50).encode() + b"\n")
        sock.sendall(b'{"method":"system.ping","id":1}\n')
        assert json.loads(read_until_newline(sock))["id"] == 1


def test_a_batch_longer_than_the_limit_is_refused_with_a_clear_error(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port)) as sock:
        sock.sendall(batch_line("system.ping", MAX_BATCH + 1))
        answer = json.loads(read_until_newline(sock))
        assert answer["id"] is None
        assert answer["error"]["code"] == -32600
        assert answer["error"]["message"] == "Batch too large"
        assert answer["error"]["data"]["limit"] == MAX_BATCH
        # Nothing of it ran, and the connection stays usable.
        sock.sendall(b'{"method":"system.ping","id":2}\n')
        assert json.loads(read_until_newline(sock))["id"] == 2


def test_writes_in_a_batch_are_all_durable_and_answered(server):
    with server.client() as c:
        email, password = signup(c)
        token = login(c, email, password)
    with socket.create_connection(("127.0.0.1", server.rpc_port)) as sock:
        calls = [{"method": "users.update", "id": i, "params": {"session": token, "name": f"Name {i}"}}
                 for i in range(200)]
        calls.append({"method": "users.me", "id": "me", "params": {"session": token}})
        sock.sendall(json.dumps(calls).encode() + b"\n")
        answers = json.loads(read_until_newline(sock))
        assert [a["result"]["name"] for a in answers[:200]] == [f"Name {i}" for i in range(200)]
        assert answers[200]["result"]["name"] == "Name 199"


def ping_latencies(port, stop, out):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        i = 0
        while not stop.is_set():
            started = time.monotonic()
            sock.sendall(b'{"method":"system.ping","id":%d}\n' % i)
            assert json.loads(read_until_newline(sock, timeout=120))["id"] == i
            out.append(time.monotonic() - started)
            i += 1
            time.sleep(0.01)


def test_huge_batch_replies_to_clients_that_never_read_do_not_grow_memory(pmd_factory):
    """The issue's attack: lines of `rpc.methods` calls whose replies are ~12 KiB each (a 12 MiB
    reply per 44 KiB line) on 16 connections that never read. Built whole, the replies alone would
    take ~190 MiB; streamed and flow-controlled, pmd holds about one socket buffer per connection.
    Meanwhile another connection's pings keep being answered promptly."""
    server = pmd_factory()
    pid = server.proc.pid
    with server.client() as warm:
        warm.call("rpc.methods")
    before = rss_kib(pid)
    stop, latencies = threading.Event(), []
    pinger = threading.Thread(target=ping_latencies, args=(server.rpc_port, stop, latencies))
    pinger.start()
    time.sleep(0.5)
    baseline = list(latencies)
    attackers = []
    try:
        line = batch_line("rpc.methods", MAX_BATCH)
        for _ in range(16):
            sock = socket.create_connection(("127.0.0.1", server.rpc_port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(line * 4)
            attackers.append(sock)
        peak = before
        for _ in range(30):
            time.sleep(0.2)
            peak = max(peak, rss_kib(pid))
        grown_mib = (peak - before) / 1024
        during = latencies[len(baseline):]
    finally:
        stop.set()
        pinger.join(timeout=150)
        for sock in attackers:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
    assert grown_mib < 64, f"RSS grew by {grown_mib:.0f} MiB while 16 non-readers each asked for 4 × 12 MiB of batch replies"
    assert len(during) >= 20, f"only {len(during)} pings were answered in 6 s while the batches ran"
    assert max(during) < 2.0, f"a ping on another connection took {max(during):.2f} s"


def test_a_client_reading_slowly_still_gets_the_whole_batch(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(batch_line("rpc.methods", 300))
        time.sleep(1)  # pmd must have stopped producing, not dropped anything
        reply = read_until_newline(sock)
        answers = json.loads(reply)
        assert [a["id"] for a in answers] == list(range(300))
        assert all(a["result"]["count"] == answers[0]["result"]["count"] for a in answers)


def test_batches_of_large_lists_from_non_readers_do_not_grow_memory(pmd_factory):
    """The issue's second attack, open to any signed-up user: a tenant with many companies and
    batches of `companies.list` (each answer ~70 KiB here) on connections that never read."""
    server = pmd_factory()
    pid = server.proc.pid
    with server.client(timeout=120) as c:
        email, password = signup(c)
        token = login(c, email, password)
        c.call("tenants.create", {"session": token, "tenantName": "Big", "companyName": "Company 0"})
        for start in range(0, 299, 100):
            calls = [{"method": "companies.create", "id": i, "params": {"session": token, "name": f"Company {i}"}}
                     for i in range(start + 1, min(start + 101, 300))]
            c.send_line(calls)
            assert all("result" in a for a in c.read_line())
        assert c.call("companies.list", {"session": token})["count"] == 300
    before = rss_kib(pid)
    line = json.dumps([{"method": "companies.list", "id": i, "params": {"session": token}}
                       for i in range(MAX_BATCH)]).encode() + b"\n"
    attackers = []
    try:
        for _ in range(4):
            sock = socket.create_connection(("127.0.0.1", server.rpc_port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(line)
            attackers.append(sock)
        peak = before
        for _ in range(30):
            time.sleep(0.2)
            peak = max(peak, rss_kib(pid))
        with server.client(timeout=10) as other:
            started = time.monotonic()
            assert other.call("system.ping") == {"pong": True}
            assert time.monotonic() - started < 2.0
    finally:
        for sock in attackers:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
    grown_mib = (peak - before) / 1024
    assert grown_mib < 64, f"RSS grew by {grown_mib:.0f} MiB while 4 non-readers each asked for ~70 MiB of lists"
