"""Cluster mode (SPEC §10) with TLS and mutual TLS on every node: replication, snapshots and the
nodes' health probes ride the RPC listener, so they must speak TLS to it, with the node's own
certificate as their client certificate."""
import json
import socket

import pytest

from clusterharness import Cluster, FollowingClient, Node
from pmdserver import run_cli

PASSWORD = "correct horse battery"


@pytest.fixture
def tls_cluster(etcd, tls_certs):
    made = []

    def make(count):
        context = tls_certs.client_context(tls_certs.client, tls_certs.client_key)
        c = Cluster(etcd, count=count, env={"PMD_TLS_CLIENT_CA": tls_certs.ca}, tls=context)
        for node in c.nodes:
            give_certificate(node, tls_certs)
        made.append(c)
        return c

    yield make
    for c in made:
        c.cleanup()


def give_certificate(node, certs):
    cert, key = certs.node(node.name)
    node.env.update({"PMD_TLS_CERT": cert, "PMD_TLS_KEY": key})


def test_a_tls_cluster_streams_takes_snapshots_and_converges(tls_cluster, etcd, tls_certs):
    c = tls_cluster(count=2).start()
    primary = c.primary()
    c.wait_standbys(primary, 1)
    writer = FollowingClient(c)
    for i in range(200):
        writer.call("auth.signup", {"email": f"tls{i}@example.com", "password": PASSWORD, "name": "Bulk " * 40})
    # A new node joins by a snapshot of the primary's data, then streams: both over TLS.
    newcomer = Node("n3", etcd, {"PMD_TLS_CLIENT_CA": tls_certs.ca}, tls=c.tls)
    give_certificate(newcomer, tls_certs)
    c.nodes.append(newcomer)
    newcomer.start()
    c.wait_converged()
    assert "snapshot installed" in newcomer.output()
    c.wait_standbys(primary, 2)
    token = writer.call("auth.login", {"email": "tls7@example.com", "password": PASSWORD})["session"]["token"]
    writer.call("users.update", {"session": token, "name": "after the snapshot"})
    converged = c.wait_converged()
    assert converged["lsn"] > 200
    for node in c.nodes:
        with node.client() as client:
            assert client.call("system.digest") == converged
    # Nothing of it is plain: a plaintext client gets no answer from any node.
    for node in c.nodes:
        with socket.create_connection(("127.0.0.1", node.fixed_rpc), timeout=10) as plain:
            plain.sendall(b'{"id":1,"method":"system.health"}\n')
            plain.settimeout(10)
            assert b"jsonrpc" not in plain.recv(65536)
    # pmd call over mutual TLS follows the 421 of a standby to the primary.
    standby = next(n for n in c.nodes if n is not primary)
    call = run_cli(
        "call", "--tls-ca", tls_certs.ca, "--tls-cert", tls_certs.client, "--tls-key", tls_certs.client_key,
        "users.me", json.dumps({"session": token}), env={"PMD_RPC_ADDR": standby.address})
    assert call.returncode == 0, call.stderr
    assert json.loads(call.stdout)["result"]["name"] == "after the snapshot"
    # Run with a node's configuration, pmd cluster status asks the nodes as that node would.
    status = run_cli("cluster", "status", "--json", env=standby.env)
    assert status.returncode == 0, status.stderr
    nodes = json.loads(status.stdout)["nodes"]
    assert all(n["reachable"] for n in nodes) and sorted(n["role"] for n in nodes) == ["primary", "standby", "standby"], nodes
