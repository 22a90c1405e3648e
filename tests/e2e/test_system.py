"""System methods and the HTTP listener (SPEC §6.1, §7): system.ping, system.health,
system.stats, rpc.methods, GET /api/health, GET /metrics."""
import json
import re
import time
import uuid

import pytest

from conftest import unique_email
from pmdclient import RPCError

PASSWORD = "correct horse battery"
# SPEC §6.1's keys, and pmd's mailOutbox (undelivered mail and dead letters).
HEALTH_KEYS = {"status", "version", "uptimeSeconds", "walLsn", "durableLsn", "lmdb", "stripe", "mail", "mailOutbox"}

# Every method of SPEC §6.1/§6.2 that the server implements so far must be listed; the rest of
# §6.2 must be listed as soon as it is implemented (checked by test_rpc_methods_lists_only_real_methods).
REQUIRED_METHODS = {
    "system.ping": ([], False),
    "system.health": ([], False),
    "system.stats": ([], False),
    "rpc.methods": ([], False),
    "rpc.auth": (["key"], False),
    "test.validation": (["email", "password", "name"], False),
    "auth.signup": (["email", "password", "name"], False),
    "auth.login": (["email", "password"], False),
    "auth.logout": (["session"], True),
    "users.me": (["session"], True),
    "users.update": (["session", "name", "givenName", "familyName", "picture", "theme", "language", "timezone",
                      "emailNotifications", "pushNotifications", "weeklyReports", "marketingEmails"], True),
}
LATER_METHODS = {
    "auth.forgotPassword": ["email"],
    "auth.resetPassword": ["token", "newPassword"],
    "users.changePassword": ["session", "currentPassword", "newPassword"],
}


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def assert_health_shape(health):
    assert set(health) == HEALTH_KEYS, sorted(health)
    assert health["status"] == "ok", health
    assert isinstance(health["version"], str) and health["version"], health
    assert is_number(health["uptimeSeconds"]) and health["uptimeSeconds"] >= 0, health
    assert is_int(health["walLsn"]) and health["walLsn"] >= 0, health
    assert is_int(health["durableLsn"]) and 0 <= health["durableLsn"] <= health["walLsn"], health
    assert set(health["lmdb"]) == {"mapSize", "used"}, health
    assert is_int(health["lmdb"]["mapSize"]) and is_int(health["lmdb"]["used"]), health
    assert 0 < health["lmdb"]["used"] <= health["lmdb"]["mapSize"], health
    assert health["stripe"] == "disabled", health
    assert health["mail"] == "outbox-only", health


def signup_and_login(c):
    email = unique_email("sys")
    c.call("auth.signup", {"email": email, "password": PASSWORD})
    return c.call("auth.login", {"email": email, "password": PASSWORD})["session"]["token"]


# --- system.ping / system.health ----------------------------------------------------------------

def test_ping(client):
    assert client.call("system.ping") == {"pong": True}
    assert client.call("system.ping", {}) == {"pong": True}
    with pytest.raises(RPCError) as error:
        client.call("system.ping", {"loud": True})
    assert error.value.code == 400 and error.value.kind == "validation_failed"


def test_health_shape(pmd, client):
    health = client.call("system.health")
    assert_health_shape(health)
    assert health["lmdb"]["mapSize"] == 256 * 1024 * 1024  # PMD_MAP_SIZE=256MiB from the harness


def test_health_lsns_grow_with_writes_and_only_with_writes(client):
    before = client.call("system.health")
    token = signup_and_login(client)
    after_writes = client.call("system.health")
    assert after_writes["walLsn"] >= before["walLsn"] + 2, (before, after_writes)  # signup + login
    # Acknowledged means durable: nothing else is in flight, so durable has caught up.
    assert after_writes["durableLsn"] == after_writes["walLsn"], after_writes

    # Reads, failed writes and validation-only calls append nothing to the WAL.
    client.call("users.me", {"session": token})
    client.call("system.ping")
    client.call("test.validation", {"email": unique_email("v"), "password": PASSWORD})
    for method, params in [("users.update", {"session": token, "theme": "blue"}),
                           ("auth.signup", {"email": "bad", "password": PASSWORD}),
                           ("users.me", {"session": "nope"})]:
        with pytest.raises(RPCError):
            client.call(method, params)
    after_reads = client.call("system.health")
    assert after_reads["walLsn"] == after_writes["walLsn"], (after_writes, after_reads)

    client.call("users.update", {"session": token, "theme": "dark"})
    after_update = client.call("system.health")
    assert after_update["walLsn"] == after_reads["walLsn"] + 1, (after_reads, after_update)
    assert after_update["durableLsn"] == after_update["walLsn"]


def test_health_lsns_survive_a_restart(pmd, client):
    signup_and_login(client)
    before = client.call("system.health")
    client.close()
    pmd.restart()
    with pmd.client() as c:
        after = c.call("system.health")
        assert after["walLsn"] >= before["walLsn"] and after["durableLsn"] >= before["durableLsn"], (before, after)
        signup_and_login(c)
        assert c.call("system.health")["walLsn"] > before["walLsn"]


def test_health_uptime_advances(client):
    first = client.call("system.health")["uptimeSeconds"]
    time.sleep(1.1)
    second = client.call("system.health")["uptimeSeconds"]
    assert second >= first + 1, (first, second)


# --- system.stats ------------------------------------------------------------------------------

def test_stats_counts_reflect_the_calls_made(pmd):
    with pmd.client() as a, pmd.client() as b:
        for _ in range(3):
            a.call("system.ping")
        a.call("test.validation", {"email": "ok@example.com", "password": PASSWORD})
        with pytest.raises(RPCError):
            a.call("test.validation", {"email": "bad", "password": PASSWORD})
        with pytest.raises(RPCError):
            b.call("users.me", {"session": "nope"})
        tokens = [signup_and_login(b), signup_and_login(b)]
        b.call("auth.logout", {"session": tokens[0]})
        stats = a.call("system.stats")

    assert set(stats) >= {"connections", "requests", "commits", "tenants", "users", "sessions"}, sorted(stats)
    assert stats["connections"]["open"] >= 1
    assert stats["connections"]["accepted"] == 2, stats["connections"]
    requests = stats["requests"]
    assert requests["system.ping"] == {"calls": 3, "errors": 0}, requests
    assert requests["test.validation"] == {"calls": 2, "errors": 1}, requests
    assert requests["users.me"] == {"calls": 1, "errors": 1}, requests
    assert requests["auth.signup"] == {"calls": 2, "errors": 0}, requests
    assert requests["auth.login"] == {"calls": 2, "errors": 0}, requests
    assert requests["auth.logout"] == {"calls": 1, "errors": 0}, requests
    assert "users.update" not in requests or requests["users.update"]["calls"] == 0, requests
    assert stats["users"] == 2
    assert stats["sessions"] == 1  # two logins, one logout
    assert stats["tenants"] == 0
    commits = stats["commits"]
    assert is_int(commits["batches"]) and commits["batches"] >= 1, commits
    assert commits["records"] >= 5, commits  # 2 signups + 2 logins + 1 logout
    assert commits["batches"] <= commits["records"], commits
    assert commits["meanBatchSize"] > 0
    assert abs(commits["meanBatchSize"] - commits["records"] / commits["batches"]) < 0.01, commits


def test_stats_connections_open_follows_clients(pmd):
    with pmd.client() as watcher:
        base = watcher.call("system.stats")["connections"]
        extra = [pmd.client() for _ in range(3)]
        for c in extra:
            c.call("system.ping")
        during = watcher.call("system.stats")["connections"]
        assert during["open"] == base["open"] + 3, (base, during)
        assert during["accepted"] == base["accepted"] + 3, (base, during)
        for c in extra:
            c.close()
        deadline = time.time() + 5
        while time.time() < deadline:
            after = watcher.call("system.stats")["connections"]
            if after["open"] == base["open"]:
                break
            time.sleep(0.05)
        assert after["open"] == base["open"], (base, after)
        assert after["accepted"] == base["accepted"] + 3


def test_stats_batches_group_concurrent_writes(pmd):
    """Many connections writing at once: the mean batch size stays > 0 and records add up."""
    clients = [pmd.client() for _ in range(16)]
    try:
        for i, c in enumerate(clients):
            c.send_line({"jsonrpc": "2.0", "method": "auth.signup", "id": i,
                         "params": {"email": unique_email("batch"), "password": PASSWORD}})
        for c in clients:
            assert "result" in c.read_line()
        stats = clients[0].call("system.stats")
    finally:
        for c in clients:
            c.close()
    assert stats["users"] == 16
    assert stats["commits"]["records"] >= 16
    assert stats["commits"]["meanBatchSize"] >= 1.0


def test_stats_users_survive_a_restart(pmd):
    with pmd.client() as c:
        signup_and_login(c)
        signup_and_login(c)
    pmd.restart()
    with pmd.client() as c:
        stats = c.call("system.stats")
        assert stats["users"] == 2 and stats["sessions"] == 2


# --- rpc.methods -------------------------------------------------------------------------------

def test_rpc_methods_lists_every_implemented_method(client):
    result = client.call("rpc.methods")
    assert set(result) == {"methods", "count"}
    methods = result["methods"]
    assert result["count"] == len(methods)
    names = [m["name"] for m in methods]
    assert len(names) == len(set(names)), "duplicate method names"
    by_name = {m["name"]: m for m in methods}
    for name, (params, session) in REQUIRED_METHODS.items():
        assert name in by_name, f"{name} missing from rpc.methods"
        entry = by_name[name]
        assert entry["session"] is session, entry
        assert entry["tenant"] is False, entry
        assert sorted(p["name"] for p in entry["params"]) == sorted(params), (name, entry["params"])
    for name, params in LATER_METHODS.items():
        if name in by_name:
            assert sorted(p["name"] for p in by_name[name]["params"]) == sorted(params), by_name[name]


def test_rpc_methods_param_descriptions(client):
    by_name = {m["name"]: m for m in client.call("rpc.methods")["methods"]}
    for entry in by_name.values():
        assert isinstance(entry["session"], bool) and isinstance(entry["tenant"], bool), entry
        assert isinstance(entry["params"], list), entry
        for p in entry["params"]:
            assert isinstance(p["name"], str) and p["name"], p
            assert p["type"] in {"string", "boolean", "integer", "number", "object", "array"}, p
            assert isinstance(p["required"], bool), p
        if entry["session"]:
            session = [p for p in entry["params"] if p["name"] == "session"]
            assert session and session[0]["required"] is True and session[0]["type"] == "string", entry
    params = {p["name"]: p for p in by_name["auth.signup"]["params"]}
    assert params["email"]["required"] and params["email"]["type"] == "string"
    assert params["password"]["required"] and params["password"]["type"] == "string"
    assert params["name"]["required"] is False
    update = {p["name"]: p for p in by_name["users.update"]["params"]}
    for flag in ("emailNotifications", "pushNotifications", "weeklyReports", "marketingEmails"):
        assert update[flag]["type"] == "boolean" and update[flag]["required"] is False
    for field in ("name", "givenName", "familyName", "picture", "theme", "language", "timezone"):
        assert update[field]["type"] == "string" and update[field]["required"] is False


def test_rpc_methods_lists_only_real_methods(client):
    """Every listed method is callable, and the listing agrees with how it behaves: session
    methods answer 401 without a session, and an unlisted param is refused."""
    methods = client.call("rpc.methods")["methods"]
    for entry in methods:
        name = entry["name"]
        response = client.request(name, {"definitelyNotAParam": 1})
        assert "error" in response, (name, response)
        error = response["error"]
        assert error["code"] != -32601, f"{name} is listed but not found"
        # Unknown params are a validation error (or, for protected methods, the missing session
        # may be reported first).
        assert error["code"] in (400, 401), (name, error)
        if error["code"] == 400 and name != "rpc.auth":  # rpc.auth: see the xfail test below
            assert ["definitelyNotAParam"] in [e["path"] for e in error["data"]["errors"]], (name, error)
        if entry["session"]:
            response = client.request(name, {})
            assert response["error"]["code"] == 401 and response["error"]["data"]["kind"] == "unauthorized", \
                (name, response)


def test_rpc_auth_reports_unknown_params_by_name(client):
    error = client.error("rpc.auth", {"key": "k", "extra": 1})
    assert error.code == 400 and error.kind == "validation_failed"
    assert [e["path"] for e in error.data["errors"]] == [["extra"]], error.error


def test_methods_not_listed_are_not_found(client):
    listed = {m["name"] for m in client.call("rpc.methods")["methods"]}
    for name in ("system.shutdown", "users.delete", "auth.Signup", "AUTH.LOGIN", "system.ping ", ""):
        assert name not in listed
        response = client.request(name)
        assert response["error"]["code"] == -32601, (name, response)


# --- HTTP ----------------------------------------------------------------------------------------

def test_http_health_matches_the_rpc_shape(pmd, client):
    status, body, headers = pmd.http("/api/health")
    assert status == 200
    assert headers.get("Content-Type", "").startswith("application/json"), dict(headers)
    health = json.loads(body)
    assert_health_shape(health)
    rpc = client.call("system.health")
    for key in ("status", "version", "stripe", "mail"):
        assert health[key] == rpc[key], key
    assert health["lmdb"]["mapSize"] == rpc["lmdb"]["mapSize"]


def test_http_health_reflects_writes(pmd, client):
    before = json.loads(pmd.http("/api/health")[1])
    signup_and_login(client)
    after = json.loads(pmd.http("/api/health")[1])
    assert after["durableLsn"] >= before["durableLsn"] + 2, (before, after)


def parse_prometheus(text):
    """{(name, frozenset(labels)): value} plus {name: type}; asserts the text is well-formed."""
    samples, types = {}, {}
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)( \d+)?$')
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                assert parts[3] in {"counter", "gauge", "histogram", "summary", "untyped"}, line
                types[parts[2]] = parts[3]
            continue
        m = sample.match(line)
        assert m, f"malformed sample line: {line!r}"
        labels = frozenset(label.findall(m.group(3) or ""))
        value = float(m.group(4))
        key = (m.group(1), labels)
        assert key not in samples, f"duplicate sample: {line!r}"
        samples[key] = value
    return samples, types


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def test_metrics_exposes_requests_latency_commits_and_wal(pmd):
    with pmd.client() as c:
        for _ in range(4):
            c.call("system.ping")
        with pytest.raises(RPCError):
            c.call("test.validation", {"email": "bad", "password": PASSWORD})
        signup_and_login(c)
        health = c.call("system.health")
        users = c.call("system.stats")["users"]
    status, body, headers = pmd.http("/metrics")
    assert status == 200
    assert headers.get("Content-Type", "").startswith("text/plain"), dict(headers)
    samples, types = parse_prometheus(body.decode())

    assert types.get("pmd_requests_total") == "counter"
    assert metric(samples, "pmd_requests_total", method="system.ping", outcome="ok") == 4
    assert metric(samples, "pmd_requests_total", method="test.validation", outcome="validation_failed") == 1
    assert metric(samples, "pmd_requests_total", method="auth.signup", outcome="ok") == 1
    assert metric(samples, "pmd_requests_total", method="auth.login", outcome="ok") == 1

    # Latency histogram per method: cumulative buckets ending in +Inf == _count.
    histograms = [n for n, t in types.items() if t == "histogram"]
    latency = [n for n in histograms if "duration" in n or "latency" in n]
    assert latency, f"no latency histogram among {histograms}"
    request_latency = next((n for n in latency if any(
        k[0] == n + "_bucket" and ("method", "system.ping") in k[1] for k in samples)), None)
    assert request_latency, f"no per-method request latency histogram among {latency}"
    buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in samples.items()
                      if k[0] == request_latency + "_bucket" and dict(k[1]).get("method") == "system.ping"))
    assert buckets[-1][0] == float("inf")
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), f"buckets not cumulative: {buckets}"
    assert buckets[-1][1] == metric(samples, request_latency + "_count", method="system.ping") >= 4

    # Commit batch sizes.
    batch = [n for n in histograms if "batch" in n]
    assert batch, f"no commit batch histogram among {histograms}"
    assert samples.get((batch[0] + "_count", frozenset())) >= 1
    assert samples.get((batch[0] + "_sum", frozenset())) >= 2  # signup + login records

    # WAL LSN, users.
    durable = metric(samples, "pmd_wal_durable_lsn")
    assert durable is not None and durable >= health["durableLsn"] >= 2
    assert metric(samples, "pmd_users") == users
    assert metric(samples, "pmd_tenants") == 0
    assert any(k[0].startswith("pmd_connections") for k in samples), "no connections metric"


def test_metrics_connections_gauge_counts_open_connections(pmd):
    clients = [pmd.client() for _ in range(3)]
    try:
        for c in clients:
            c.call("system.ping")
        samples, types = parse_prometheus(pmd.http("/metrics")[1].decode())
        assert types.get("pmd_connections") == "gauge", types
        assert metric(samples, "pmd_connections") == 3
    finally:
        for c in clients:
            c.close()


def test_metrics_method_labels_are_bounded(pmd):
    """Unknown method names must not become label values: a client could otherwise grow the
    metrics without bound."""
    names = [f"bogus.{uuid.uuid4().hex}" for _ in range(20)]
    with pmd.client() as c:
        for name in names:
            assert c.request(name)["error"]["code"] == -32601
    body = pmd.http("/metrics")[1].decode()
    for name in names:
        assert name not in body


def test_metrics_count_grows_between_scrapes(pmd):
    with pmd.client() as c:
        c.call("system.ping")
        first, _ = parse_prometheus(pmd.http("/metrics")[1].decode())
        c.call("system.ping")
        c.call("system.ping")
        second, _ = parse_prometheus(pmd.http("/metrics")[1].decode())
    assert metric(second, "pmd_requests_total", method="system.ping", outcome="ok") == \
        metric(first, "pmd_requests_total", method="system.ping", outcome="ok") + 2


@pytest.mark.parametrize("path", ["/", "/nope", "/api", "/api/healthz", "/api/health/x", "/metrics/x",
                                  "/api/webhooks", "/../etc/passwd"])
def test_unknown_http_path_is_404(pmd, path):
    status, _, _ = pmd.http(path)
    assert status == 404, (path, status)
