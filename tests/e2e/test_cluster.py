"""Cluster mode (SPEC §10) end to end: a real etcd and several real pmd processes on loopback.
Clients follow 421 redirects as app servers do; failures are real (`kill -9`, SIGSTOP, etcd
killed); every acknowledged write is checked on the survivors."""
import json
import os
import signal
import threading
import time

import pytest

from clusterharness import Cluster, FollowingClient, Node
from conftest import wait_until
from pmdclient import Client, RPCError
from pmdserver import run_cli

PASSWORD = "correct horse battery"


@pytest.fixture
def cluster(etcd):
    made = []

    def make(count=3, env=None, start=True):
        c = Cluster(etcd, count=count, env=env)
        made.append(c)
        return c.start() if start else c

    yield make
    for c in made:
        c.cleanup()


def signed_in(client, email):
    client.call("auth.signup", {"email": email, "password": PASSWORD, "name": "Writer"})
    return client.call("auth.login", {"email": email, "password": PASSWORD})["session"]["token"]


def test_one_primary_two_standbys_redirect_and_hold_the_same_data(cluster):
    c = cluster()
    primary = c.primary()
    c.wait_standbys(primary, 2)
    standbys = [n for n in c.nodes if n is not primary]
    writer = FollowingClient(c)
    token = signed_in(writer, "ada@example.com")
    writer.call("tenants.create", {"session": token, "tenantName": "Agency", "companyName": "Client"})
    for node in standbys:
        with node.client() as client:
            answer = client.request("users.me", {"session": token})
            assert answer["error"]["code"] == 421, answer
            assert answer["error"]["message"] == "Not the primary"
            assert answer["error"]["data"] == {"kind": "not_primary", "primary": primary.address}
            # system.* and rpc.* answer on every node.
            assert client.call("system.ping") == {"pong": True}
            assert client.call("rpc.methods")["count"] > 0
            info = client.call("system.health")["cluster"]
            assert info["role"] == "standby" and info["primary"] == primary.address and info["node"] == node.name
    info = primary.cluster()
    assert info["role"] == "primary" and info["term"] >= 1
    assert sorted(s["node"] for s in info["standbys"]) == sorted(n.name for n in standbys)
    assert sum(s["sync"] for s in info["standbys"]) == 1, "PMD_SYNC_STANDBYS=1: one synchronous standby"
    converged = c.wait_converged()
    assert converged["lsn"] > 0 and len(converged["digest"]) == 64
    status, body, _ = primary.http("/metrics")
    text = body.decode()
    assert 'pmd_cluster_role{role="primary"} 1' in text
    assert "pmd_cluster_term" in text and "pmd_replication_acknowledged_lsn" in text
    for node in standbys:
        assert f'pmd_replication_lag_records{{standby="{node.name}"}}' in text
    status, body, _ = standbys[0].http("/metrics")
    assert 'pmd_cluster_role{role="standby"} 1' in body.decode()
    # pmd call follows the redirect once.
    call = run_cli("call", "users.me", json.dumps({"session": token}), env={"PMD_RPC_ADDR": standbys[0].address})
    assert call.returncode == 0, call.stderr
    assert json.loads(call.stdout)["result"]["email"] == "ada@example.com"
    assert "not the primary" in call.stderr


def test_cluster_status_lists_every_node(cluster, etcd):
    c = cluster()
    primary = c.primary()
    c.wait_standbys(primary, 2)
    status = run_cli("cluster", "status", "--json", env={"PMD_ETCD_ENDPOINTS": etcd.url, "PMD_CLUSTER": "e2e"})
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    assert summary["primary"] == primary.name
    assert sorted(n["node"] for n in summary["nodes"]) == ["n1", "n2", "n3"]
    roles = {n["node"]: n["role"] for n in summary["nodes"]}
    assert roles[primary.name] == "primary" and sorted(roles.values()) == ["primary", "standby", "standby"]
    table = run_cli("cluster", "status", env={"PMD_ETCD_ENDPOINTS": etcd.url, "PMD_CLUSTER": "e2e"})
    assert table.returncode == 0 and f"primary {primary.name}" in table.stdout


class Writers:
    """Threads that each update their own user's name with a counter through a following client,
    remembering the last value acknowledged and the last value sent."""

    def __init__(self, c, count=6):
        self.cluster = c
        self.stop = threading.Event()
        self.acknowledged = {}
        self.sent = {}
        self.tokens = {}
        self.errors = []
        setup = FollowingClient(c)
        for i in range(count):
            email = f"writer{i}-{time.time_ns()}@example.com"
            self.tokens[email] = signed_in(setup, email)
            self.acknowledged[email] = -1
            self.sent[email] = -1
        setup.close()
        self.threads = [threading.Thread(target=self.run, args=(email,), daemon=True) for email in self.tokens]

    def run(self, email):
        client = FollowingClient(self.cluster, timeout=5)
        n = self.acknowledged[email]
        while not self.stop.is_set():
            n += 1
            self.sent[email] = n
            try:
                client.call("users.update", {"session": self.tokens[email], "name": f"v{n}"}, attempts=1)
                self.acknowledged[email] = n
            except RPCError as error:
                if error.code not in (421, 503):
                    self.errors.append(error)
                time.sleep(0.05)
            except (AssertionError, OSError, ConnectionError, ValueError):
                time.sleep(0.05)
        client.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def check(self, node):
        """Every acknowledged value is on `node`, and nothing that was never sent."""
        with node.client() as client:
            for email, token in self.tokens.items():
                name = client.call("users.me", {"session": token})["name"]
                value = int(name[1:]) if name.startswith("v") else -1
                assert value >= self.acknowledged[email], f"{email}: acknowledged v{self.acknowledged[email]}, found {name}"
                assert value <= self.sent[email], f"{email}: found {name}, never sent beyond v{self.sent[email]}"


def test_kill_primary_under_load_loses_no_acknowledged_write(cluster):
    c = cluster()
    c.wait_standbys(c.primary(), 2)
    failovers = []
    with Writers(c) as writers:
        for _ in range(3):
            primary = c.primary()
            c.wait_standbys(primary, 2)
            before = dict(writers.acknowledged)
            wait_until(lambda: all(writers.acknowledged[e] > before[e] + 5 for e in before), what="writes before the kill")
            primary.kill()
            killed_at = time.time()
            progressed = dict(writers.acknowledged)
            wait_until(lambda: all(writers.acknowledged[e] > progressed[e] for e in progressed), timeout=30,
                       what="writes acknowledged by a new primary")
            failovers.append(time.time() - killed_at)
            survivor = c.primary(exclude=[primary])
            assert survivor is not primary
            primary.start()
    assert not writers.errors, writers.errors[:3]
    primary = c.primary()
    writers.check(primary)
    c.wait_standbys(primary, 2)
    c.wait_converged()
    print("failover seconds:", [round(f, 2) for f in failovers])


def test_a_paused_primary_is_replaced_and_rejoins(cluster):
    c = cluster()
    primary = c.primary()
    c.wait_standbys(primary, 2)
    with Writers(c, count=4) as writers:
        wait_until(lambda: all(v > 5 for v in writers.acknowledged.values()), what="writes")
        primary.proc.send_signal(signal.SIGSTOP)
        try:
            new = c.primary(exclude=[primary], timeout=30)
            progressed = dict(writers.acknowledged)
            wait_until(lambda: all(writers.acknowledged[e] > progressed[e] for e in progressed), what="writes on the new primary")
        finally:
            primary.proc.send_signal(signal.SIGCONT)
        # Resumed, the old primary no longer serves: it answers 421 (or is restarting to rejoin).
        def refuses():
            try:
                with primary.client(timeout=3) as client:
                    answer = client.request("users.me", {"session": next(iter(writers.tokens.values()))})
                    return answer is not None and answer.get("error", {}).get("code") == 421
            except OSError:
                return False
        wait_until(refuses, timeout=30, what="the old primary to refuse")
    writers.check(new)
    wait_until(lambda: (primary.cluster() or {}).get("role") == "standby", timeout=30, what="the old primary to rejoin")
    assert "no longer the primary" in primary.output() or "restarting in place" in primary.output()
    c.wait_converged()


def test_with_no_standby_writes_answer_503_and_resume_when_one_attaches(cluster):
    c = cluster(count=2, start=False)
    lone, second = c.nodes
    lone.start()
    assert c.primary() is lone
    with lone.client() as client:
        assert client.call("plans.list")["count"] == 3, "reads go on"
        started = time.time()
        answer = client.request("auth.signup", {"email": "wait@example.com", "password": PASSWORD})
        assert answer["error"]["code"] == 503, answer
        assert answer["error"]["message"] == "Not enough standbys"
        assert answer["error"]["data"]["kind"] == "unavailable"
        assert 4 <= time.time() - started < 15, "a write waits about 5 s for a standby first"
        answer = client.request("auth.signup", {"email": "next@example.com", "password": PASSWORD})
        assert answer["error"]["code"] == 503, "later writes are refused at once while no standby attaches"
        assert client.call("plans.list")["count"] == 3
    second.start()
    c.wait_standbys(lone, 1)

    def writes():
        with lone.client() as client:
            answer = client.request("auth.signup", {"email": "after@example.com", "password": PASSWORD})
            return "result" in answer or answer["error"]["code"] == 409
    wait_until(writes, timeout=30, what="writes to succeed again")
    c.wait_converged()


def test_killing_a_standby_does_not_stop_writes(cluster):
    c = cluster()
    primary = c.primary()
    info = c.wait_standbys(primary, 2)
    sync = next(n for n in c.nodes if n.name == next(s["node"] for s in info["standbys"] if s["sync"]))
    with Writers(c, count=4) as writers:
        wait_until(lambda: all(v > 3 for v in writers.acknowledged.values()), what="writes")
        sync.kill()
        progressed = dict(writers.acknowledged)
        wait_until(lambda: all(writers.acknowledged[e] > progressed[e] + 3 for e in progressed), timeout=20,
                   what="writes to go on without the synchronous standby")
        assert c.primary() is primary
    sync.start()
    c.wait_standbys(primary, 2)
    writers.check(primary)
    c.wait_converged()


def test_etcd_lost_stops_acknowledging_and_writes_resume_when_it_returns(cluster, etcd):
    c = cluster()
    primary = c.primary()
    c.wait_standbys(primary, 2)
    writer = FollowingClient(c)
    token = signed_in(writer, "etcd@example.com")
    etcd.kill()
    killed = time.time()

    def refused():
        try:
            with primary.client(timeout=3) as client:
                return "error" in client.request("users.update", {"session": token, "name": "during"})
        except OSError:
            return True
    wait_until(refused, timeout=10, what="the primary to stop acknowledging")
    assert time.time() - killed < 4, "within the leader TTL (3 s)"
    etcd.restart()
    writer = FollowingClient(c)

    def written():
        try:
            return writer.call("users.update", {"session": token, "name": "after"}, attempts=3)["name"] == "after"
        except (RPCError, AssertionError):
            return False
    wait_until(written, timeout=60, what="writes to resume")
    c.wait_converged()


def test_a_new_empty_node_joins_by_snapshot_and_a_standby_killed_mid_snapshot_recovers(cluster, etcd):
    c = cluster(count=2)
    primary = c.primary()
    c.wait_standbys(primary, 1)
    writer = FollowingClient(c)
    for i in range(300):
        writer.call("auth.signup", {"email": f"bulk{i}@example.com", "password": PASSWORD, "name": "Bulk " * 40})
    newcomer = Node("n9", etcd)
    c.nodes.append(newcomer)
    newcomer.start()
    c.wait_converged()
    assert "snapshot installed" in newcomer.output()
    # A standby killed while it takes a snapshot starts over and still converges.
    late = Node("n10", etcd)
    c.nodes.append(late)
    late.start()
    wait_until(lambda: "taking a snapshot" in late.output(), timeout=30, what="the snapshot to begin")
    late.kill()
    late.start()
    c.wait_converged()


def test_a_former_primary_discards_what_the_cluster_never_acknowledged(cluster):
    """n1 leads with n2 and n3; both standbys die; writes to n1 wait (never acknowledged) while n1
    logs them; n1 dies; the standbys come back and one leads (a new term, without those records);
    n1 restarts, discards them (the log says how many), and converges."""
    c = cluster()
    n1 = c.primary()
    info = c.wait_standbys(n1, 2)
    writer = FollowingClient(c)
    token = signed_in(writer, "kept@example.com")
    others = [n for n in c.nodes if n is not n1]
    for node in others:
        node.kill()
    with n1.client(timeout=20) as client:
        for i in range(3):
            client.send_line({"jsonrpc": "2.0", "id": i, "method": "users.update", "params": {"session": token, "name": f"lost{i}"}})
        time.sleep(1)
    n1.kill()
    for node in others:
        node.start()
    survivor = c.primary(exclude=[n1], timeout=30)
    writer = FollowingClient(c)
    assert writer.call("users.me", {"session": token})["name"] == "Writer", "unacknowledged writes are not there"
    writer.call("users.update", {"session": token, "name": "new-term"})
    n1.start()
    wait_until(lambda: "discarded records the cluster never acknowledged" in n1.output(), timeout=30, what="n1 to discard")
    c.wait_converged()
    with survivor.client() as client:
        assert client.call("users.me", {"session": token})["name"] == "new-term"
