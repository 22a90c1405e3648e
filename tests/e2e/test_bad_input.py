"""Hostile and broken input over the real TCP listener: oversized and endless lines, random
garbage, bad params, clients that never read or that vanish (SPEC §4, §5.5)."""
import json
import os
import random
import socket
import struct
import threading
import time

import pytest

from pmdserver import PMD

LIMIT = 4096  # PMD_MAX_LINE=4KiB


@pytest.fixture(scope="module")
def small(request):
    """pmd with a 4 KiB line limit."""
    s = PMD(env={"PMD_MAX_LINE": "4KiB"}).start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def default(request):
    s = PMD().start()
    yield s
    s.cleanup()


def ping(c, id="ping"):
    c.send_line({"jsonrpc": "2.0", "method": "system.ping", "id": id})
    response = c.read_line()
    assert response == {"jsonrpc": "2.0", "result": {"pong": True}, "id": id}, response


def padded_ping(size, id=1):
    """A valid ping request of exactly `size` bytes (without the newline)."""
    head = '{"jsonrpc":"2.0","method":"system.ping","id":%d,"params":{}' % id
    line = head + " " * (size - len(head) - 1) + "}"
    assert len(line) == size
    return line.encode()


def assert_too_large(c):
    response = c.read_line()
    assert response is not None, "pmd closed without answering"
    assert response["jsonrpc"] == "2.0"
    assert response["id"] is None, response
    assert response["error"]["code"] == -32600, response
    assert response["error"]["message"] == "Request too large", response
    assert c.is_closed(wait=5), "pmd must close the connection after an oversized line"


# --- line length --------------------------------------------------------------------------------

def test_oversized_line_is_rejected_and_the_connection_closed(small):
    with small.client(timeout=10) as victim, small.client(timeout=10) as bystander:
        ping(victim, "before")
        victim.send_raw(padded_ping(5000) + b"\n")
        assert_too_large(victim)
        ping(bystander, "still-works")
    with small.client(timeout=10) as fresh:
        ping(fresh, "new-connection")


def test_oversized_line_after_good_requests_answers_those_first(small):
    with small.client(timeout=10) as c:
        c.send_raw(b'{"method":"system.ping","id":1}\n{"method":"system.ping","id":2}\n' + padded_ping(5000) + b"\n")
        assert c.read_line()["id"] == 1
        assert c.read_line()["id"] == 2
        assert_too_large(c)


def test_line_just_under_the_limit_works(small):
    with small.client(timeout=10) as c:
        for size in (LIMIT - 2, LIMIT - 100, 1000):
            c.send_raw(padded_ping(size, id=size) + b"\n")
            assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": size}
        # CRLF line of limit-2 payload bytes is fine too.
        c.send_raw(padded_ping(LIMIT - 2, id=7) + b"\r\n")
        assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": 7}


def test_limit_is_exact(small):
    with small.client(timeout=10) as c:
        c.send_raw(padded_ping(LIMIT, id=1) + b"\n")
        assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": 1}
        c.send_raw(padded_ping(LIMIT + 1, id=2) + b"\n")
        assert_too_large(c)


def test_oversized_line_arriving_in_pieces_is_rejected(small):
    with small.client(timeout=10) as c:
        c.send_raw(b'{"method":"system.ping","id":"' + b"a" * 3000)
        time.sleep(0.2)
        try:
            c.send_raw(b"a" * 3000 + b'"}\n')
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert_too_large(c)


def test_line_well_over_the_limit_as_a_batch_is_rejected(small):
    batch = "[" + ",".join('{"method":"system.ping","id":%d}' % i for i in range(200)) + "]"
    assert len(batch) > LIMIT
    with small.client(timeout=10) as c:
        c.send_line(batch)
        assert_too_large(c)


def test_never_ending_line_gets_too_large_and_close(small):
    with small.client(timeout=10) as c, small.client(timeout=10) as bystander:
        c.sock.settimeout(10)
        try:
            c.send_raw(b'{"method":"system.ping","id":"' + b"a" * 100_000)
        except (BrokenPipeError, ConnectionResetError):
            pass  # pmd may close while we are still writing; the answer may still be readable
        assert_too_large(c)
        ping(bystander)


def test_default_limit_accepts_a_100kb_line(default):
    with default.client(timeout=10) as c:
        id = "x" * 100_000
        c.send_line({"jsonrpc": "2.0", "method": "system.ping", "id": id})
        assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": id}


# --- garbage ------------------------------------------------------------------------------------

def garbage_lines():
    rng = random.Random(20261127)
    lines = []
    # Random bytes (invalid UTF-8, NULs, control characters), placed after prefixes that put the
    # parser in different states: top level, inside an object, inside a string, inside an array.
    prefixes = [b"", b"{", b'{"method":"system.ping","id":"', b'{"method":"system.ping","params":{"',
                b'["', b'"', b"[1,", b'{"a":', b'{"method":"system.ping","id":1,"x":']
    byte_values = [b for b in range(256) if b not in (0x0A, 0x0D)]
    for i in range(180):
        n = rng.randint(1, 300)
        line = rng.choice(prefixes) + bytes(rng.choice(byte_values) for _ in range(n))
        if not line.strip(b" \t"):
            line = b"\x01" + line  # a blank line would rightly get no answer at all
        lines.append(line)
    for _ in range(50):  # JSON-looking garbage: random tokens glued together
        tokens = [b"{", b"}", b"[", b"]", b":", b",", b'"', b"\\", b"true", b"nul", b"1e", b"-", b".",
                  b'"method"', b'"id"', b'"jsonrpc"', b'"2.0"', b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80"]
        lines.append(b"{" + b"".join(rng.choice(tokens) for _ in range(rng.randint(1, 60))))
    lines += [
        b"\x00",
        b"\x00" * 100,
        b'{"method":"system.ping","id":1,"x":"\x00"}',          # raw NUL inside a string
        b'{"method":"system.ping","id":"\xff\xfe"}',            # invalid UTF-8 inside a string
        b'{"method":"system.ping","id":"\xc3"}',                # truncated UTF-8 sequence
        b'{"method":"system.ping","id":"\xed\xa0\x80"}',        # UTF-8-encoded surrogate (invalid)
        b'{"method":"system.ping","id":"\xc0\xaf"}',            # overlong encoding
        b"\xef\xbb\xbf\xef\xbb\xbf{}",                          # double BOM
        b'"\\ud800"',
        b'{"method":"system.ping","id":"\\ud800"}',             # lone high surrogate
        b'{"method":"system.ping","id":"\\udc00x"}',            # lone low surrogate
        b'{"method":"system.ping","id":"\\ud800\\u0041"}',      # high surrogate + non-low
        b'{"method":"system.ping","id":"\\uZZZZ"}',
        b'{"method":"system.ping","id":"\\x41"}',
        b"[" * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"method":"system.ping","params":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b',"id":1}',
        b"9" * 50_000,
        b"-" + b"9" * 50_000 + b"e99999999999999999999",
        b"[1e999999, -1e999999, 1e-999999]",
        b'{"method":"system.ping","id":1e}',
        b'{"method":"system.ping","id":01}',
        b'{"method":"system.ping","id":+1}',
        b'{"method":"system.ping","id":.5}',
        b'{"method":"system.ping","id":NaN}',
        b'{"method":"system.ping","id":Infinity}',
        b"{'method':'system.ping','id':1}",
        b'{"method":"system.ping","id":1,}',
        b'{"method":"system.ping" "id":1}',
        b'{"method":"system.ping","id":1',
        b'{"method":"system.ping","id":"unterminated}',
        b"}",
        b"]",
        b'{"method":"system.ping","id":1}}',
        b'{"method":"system.ping","id":1}x',
        b'{"method":"sys\ttem.ping","id":"raw tab in string"}',
        b"tru",
        b"nulll",
    ]
    return lines


def test_garbage_lines_each_get_an_error_and_the_connection_survives(default):
    lines = garbage_lines()
    with default.client(timeout=30) as c:
        for i, line in enumerate(lines):
            c.send_raw(line + b"\n")
            raw = c.read_raw_line()
            assert raw is not None, f"pmd closed the connection after garbage line {i}: {line[:80]!r}"
            response = json.loads(raw)
            entries = response if isinstance(response, list) else [response]
            assert entries, f"line {i} {line[:80]!r}: empty answer"
            for entry in entries:
                assert entry.get("jsonrpc") == "2.0", entry
                assert "result" not in entry, f"garbage line {i} {line[:80]!r} succeeded: {response}"
                assert entry["error"]["code"] in (-32700, -32600), f"line {i} {line[:80]!r}: {response}"
                assert entry["id"] is None, f"line {i} {line[:80]!r}: {response}"
            ping(c, i)


def test_garbage_pipelined_in_one_write_gets_one_error_per_line(default):
    lines = garbage_lines()[:200]
    with default.client(timeout=30) as c:
        c.send_raw(b"".join(line + b"\n" for line in lines) + b'{"method":"system.ping","id":"end"}\n')
        for i, line in enumerate(lines):
            response = c.read_line()
            assert response is not None, f"closed at line {i}"
            entries = response if isinstance(response, list) else [response]
            assert all(e["error"]["code"] in (-32700, -32600) for e in entries), (i, line[:80], response)
        assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": "end"}


def test_garbage_does_not_disturb_other_connections(default):
    with default.client(timeout=30) as noisy, default.client(timeout=10) as calm:
        noisy.send_raw(b"".join(line + b"\n" for line in garbage_lines()))
        for i in range(20):
            ping(calm, i)


# --- params validation -------------------------------------------------------------------------

def test_unknown_params_are_each_reported_with_their_path(default):
    with default.client(timeout=10) as c:
        for method, params, unknown in [
            ("system.ping", {"verbose": True}, ["verbose"]),
            ("system.health", {"deep": 1, "x": None}, ["deep", "x"]),
            ("test.validation", {"email": "a@b.co", "password": "password1", "nmae": "typo", "pasword": "x"},
             ["nmae", "pasword"]),
            ("auth.login", {"email": "a@b.co", "password": "password1", "remember": True}, ["remember"]),
            ("users.me", {"session": "whatever", "fields": []}, ["fields"]),
        ]:
            c.send_line({"jsonrpc": "2.0", "method": method, "params": params, "id": method})
            response = c.read_line()
            assert response["id"] == method
            error = response.get("error")
            assert error, f"{method} with unknown params {unknown} must fail: {response}"
            assert error["code"] == 400, response
            assert error["data"]["kind"] == "validation_failed", response
            paths = [e["path"] for e in error["data"]["errors"]]
            for name in unknown:
                assert [name] in paths, f"{name} not reported for {method}: {error}"
            for e in error["data"]["errors"]:
                assert isinstance(e["message"], str) and e["message"]


def test_wrong_types_are_all_reported_at_once(default):
    with default.client(timeout=10) as c:
        c.send_line({"jsonrpc": "2.0", "method": "test.validation", "id": 1,
                     "params": {"email": 42, "password": ["x"], "name": {"a": 1}}})
        error = c.read_line()["error"]
        assert error["code"] == 400 and error["data"]["kind"] == "validation_failed", error
        paths = sorted(e["path"] for e in error["data"]["errors"])
        assert paths == [["email"], ["name"], ["password"]], error

        c.send_line({"jsonrpc": "2.0", "method": "auth.signup", "id": 2,
                     "params": {"email": True, "password": 12345678, "name": 7, "bogus": 1}})
        error = c.read_line()["error"]
        assert error["code"] == 400 and error["data"]["kind"] == "validation_failed", error
        paths = sorted(e["path"] for e in error["data"]["errors"])
        assert paths == [["bogus"], ["email"], ["name"], ["password"]], error


def test_missing_required_params_are_all_reported(default):
    with default.client(timeout=10) as c:
        c.send_line({"jsonrpc": "2.0", "method": "auth.signup", "id": 0})  # params omitted = {}
        error = c.read_line()["error"]
        assert error["code"] == 400 and error["data"]["kind"] == "validation_failed", error
        assert sorted(e["path"] for e in error["data"]["errors"]) == [["email"], ["password"]], error
        c.send_line({"jsonrpc": "2.0", "method": "auth.signup", "id": 1, "params": {}})
        error = c.read_line()["error"]
        assert error["code"] == 400 and error["data"]["kind"] == "validation_failed", error
        paths = sorted(e["path"] for e in error["data"]["errors"])
        assert paths == [["email"], ["password"]], error


def test_null_for_a_required_string_is_a_validation_error(default):
    with default.client(timeout=10) as c:
        c.send_line({"jsonrpc": "2.0", "method": "auth.login", "id": 1, "params": {"email": None, "password": None}})
        error = c.read_line()["error"]
        assert error["code"] == 400 and error["data"]["kind"] == "validation_failed", error
        assert sorted(e["path"] for e in error["data"]["errors"]) == [["email"], ["password"]]


# --- slow, greedy and vanishing clients --------------------------------------------------------

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_client_that_never_reads_cannot_grow_memory_without_bound(default):
    """5000 pipelined pings, then pings whose 16 KiB ids make every answer 16 KiB, from a client
    that never reads. If pmd kept reading and buffered every answer, its RSS would grow by the
    volume sent (hundreds of MiB within the deadline); with back-pressure pmd stops reading, our
    sends stall, and RSS stays flat. Other clients must still be served meanwhile."""
    pid = default.proc.pid
    with default.client(timeout=10) as warm:
        ping(warm)
    before = rss_kib(pid)

    greedy = socket.create_connection(("127.0.0.1", default.rpc_port))
    greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    greedy.setblocking(False)
    pings = b"".join(b'{"method":"system.ping","id":%d}\n' % i for i in range(5000))
    big_line = b'{"method":"system.ping","id":"' + b"x" * 16384 + b'"}\n'
    chunk = memoryview(big_line * 64)

    def send_all(data, deadline):
        """Sends what it can; returns (bytes sent, whether pmd stopped reading)."""
        sent = 0
        stalled_since = None
        while time.time() < deadline:
            if sent >= len(data):
                return sent, False
            try:
                sent += greedy.send(data[sent:sent + 65536])
                stalled_since = None
            except BlockingIOError:
                stalled_since = stalled_since or time.time()
                if time.time() - stalled_since > 1.5:
                    return sent, True
                time.sleep(0.005)
        return sent, False

    try:
        deadline = time.time() + 15
        total, stalled = send_all(pings, deadline)
        while not stalled and time.time() < deadline:
            sent, stalled = send_all(chunk, deadline)
            total += sent
        # Other clients are still served while the greedy one is stuck.
        with default.client(timeout=10) as other:
            for i in range(10):
                ping(other, f"other-{i}")
            other.send_line({"jsonrpc": "2.0", "method": "test.validation", "id": "v",
                             "params": {"email": "ok@example.com", "password": "password1"}})
            assert other.read_line()["result"]["success"] is True
        after = rss_kib(pid)
        grown_mib = (after - before) / 1024
        assert grown_mib < 64, (f"RSS grew by {grown_mib:.0f} MiB ({before} -> {after} KiB) "
                                f"after {total / 2**20:.0f} MiB of requests from a client that never reads")
        assert stalled, (f"pmd kept reading {total / 2**20:.0f} MiB of requests from a client that "
                         f"never reads its answers: no back-pressure")
    finally:
        greedy.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        greedy.close()
    # pmd is fine afterwards.
    with default.client(timeout=10) as c:
        ping(c, "after-greedy")


def test_client_that_never_reads_with_maximum_size_lines(pmd_factory):
    """Like the test above, with answers near PMD_MAX_LINE (1 MiB by default): the bound on what
    pmd holds for one connection must be in bytes, not in a number of (arbitrarily large) lines."""
    server = pmd_factory()
    pid = server.proc.pid
    with server.client(timeout=10) as warm:
        ping(warm)
    before = rss_kib(pid)
    greedy = socket.create_connection(("127.0.0.1", server.rpc_port))
    greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    greedy.setblocking(False)
    chunk = memoryview((b'{"method":"system.ping","id":"' + b"x" * 1_000_000 + b'"}\n') * 8)
    sent, stalled_since, deadline = 0, None, time.time() + 150
    try:
        while time.time() < deadline:
            try:
                offset = sent % len(chunk)
                sent += greedy.send(chunk[offset:offset + 65536])
                stalled_since = None
            except BlockingIOError:
                stalled_since = stalled_since or time.time()
                if time.time() - stalled_since > 5:
                    break
                time.sleep(0.01)
        grown_mib = (rss_kib(pid) - before) / 1024
        assert grown_mib < 64, f"RSS grew by {grown_mib:.0f} MiB after {sent / 2**20:.0f} MiB sent by a non-reader"
    finally:
        greedy.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        greedy.close()


def test_greedy_client_gets_its_answers_once_it_reads(default):
    """Back-pressure must pause, not drop: a client that stops reading for a while and then
    reads everything gets every answer, in order."""
    with default.client(timeout=30) as c:
        n = 400
        c.send_raw(b"".join(b'{"method":"rpc.methods","id":%d}\n' % i for i in range(n)))
        time.sleep(0.5)
        for i in range(n):
            response = c.read_line()
            assert response is not None and response["id"] == i, response
            assert "methods" in response["result"]


def test_client_vanishing_mid_line_does_not_disturb_others(default):
    with default.client(timeout=10) as calm:
        ping(calm, "start")
        for how in ("close", "reset"):
            for _ in range(20):
                s = socket.create_connection(("127.0.0.1", default.rpc_port))
                s.sendall(b'{"method":"system.ping","id":1}\n{"method":"auth.signup","params":{"email":"half')
                if how == "reset":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            ping(calm, how)
        # A client that vanishes with a large pipelined backlog of answers pending.
        s = socket.create_connection(("127.0.0.1", default.rpc_port))
        s.sendall(b'{"method":"rpc.methods","id":1}\n' * 500)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        ping(calm, "after-backlog")
    assert default.proc.poll() is None, "pmd died"


def test_many_concurrent_connections_with_partial_lines(default):
    """Partial lines are kept per connection: interleaved halves from 20 connections never mix."""
    clients = [default.client(timeout=10) for _ in range(20)]
    try:
        for i, c in enumerate(clients):
            c.send_raw(b'{"method":"system.ping","id":')
        for i, c in enumerate(clients):
            c.send_raw(b'"conn-%d"}\n' % i)
        for i, c in enumerate(clients):
            assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": f"conn-{i}"}
    finally:
        for c in clients:
            c.close()


def test_connection_storm_is_survived(default):
    errors = []

    def worker(n):
        try:
            for j in range(10):
                with default.client(timeout=10) as c:
                    ping(c, f"{n}-{j}")
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
