"""Three (or more) real pmd processes in cluster mode around a real etcd, on loopback (SPEC §10).

Each node gets fixed free ports, so that it keeps its address across restarts (a rejoin is a
restart in place), and its own data directory. Helpers find the primary, follow 421 redirects
like a client, and wait for the cluster to settle.
"""
import json
import os
import socket
import time

from pmdclient import Client, RPCError
from pmdserver import PMD


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node(PMD):
    def __init__(self, name, etcd, extra_env=None, data_dir=None, tls=None):
        self.name = name
        self.fixed_rpc = free_port()
        self.fixed_http = free_port()
        env = {
            "PMD_ETCD_ENDPOINTS": etcd.url,
            "PMD_CLUSTER": "e2e",
            "PMD_NODE_NAME": name,
            "PMD_RPC_ADDR": f"127.0.0.1:{self.fixed_rpc}",
            "PMD_HTTP_ADDR": f"127.0.0.1:{self.fixed_http}",
            "PMD_LEADER_TTL": "3s",
            "PMD_SYNC_STANDBYS": "1",
        }
        env.update(extra_env or {})
        super().__init__(data_dir=data_dir, env=env, tls=tls)

    @property
    def address(self):
        return f"127.0.0.1:{self.fixed_rpc}"

    def health(self, timeout=5.0):
        with Client("127.0.0.1", self.fixed_rpc, timeout=timeout, tls=self.tls) as c:
            return c.call("system.health")

    def cluster(self, timeout=5.0):
        try:
            return self.health(timeout)["cluster"]
        except (OSError, RPCError, ValueError, TypeError):
            return None

    def digest(self):
        with Client("127.0.0.1", self.fixed_rpc, timeout=30, tls=self.tls) as c:
            return c.call("system.digest")


class Cluster:
    def __init__(self, etcd, count=3, env=None, tls=None):
        """`tls`: the ssl.SSLContext of clients, when `env` gives the nodes PMD_TLS_CERT."""
        self.etcd = etcd
        self.tls = tls
        self.nodes = [Node(f"n{i + 1}", etcd, env, tls=tls) for i in range(count)]

    def start(self):
        for node in self.nodes:
            node.start()
        return self

    def cleanup(self):
        for node in self.nodes:
            node.cleanup()

    def primary(self, timeout=30.0, exclude=()):
        """The node that says it is primary (and that the others name), waiting for one."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for node in self.nodes:
                if node in exclude or node.proc is None or node.proc.poll() is not None:
                    continue
                info = node.cluster(timeout=2)
                if info and info["role"] == "primary":
                    return node
            time.sleep(0.1)
        raise AssertionError("no primary within %.0fs" % timeout)

    def wait_standbys(self, primary, count, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            info = primary.cluster()
            if info and len([s for s in info["standbys"]]) >= count and any(s["sync"] for s in info["standbys"]):
                return info
            time.sleep(0.1)
        raise AssertionError(f"fewer than {count} standbys attached to {primary.name}: {primary.cluster()}")

    def wait_converged(self, nodes=None, timeout=60.0):
        """Every node (alive) at the same LSN with the same digest."""
        nodes = [n for n in (nodes or self.nodes) if n.proc and n.proc.poll() is None]
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                digests = [n.digest() for n in nodes]
            except (OSError, RPCError):
                time.sleep(0.2)
                continue
            last = digests
            if len({(d["lsn"], d["digest"]) for d in digests}) == 1:
                return digests[0]
            time.sleep(0.2)
        raise AssertionError(f"nodes did not converge: {last}")

    def by_address(self, address):
        return next(n for n in self.nodes if n.address == address)


class FollowingClient:
    """A client that follows 421 `not_primary` to `data.primary`, as an app server would, and
    tries the nodes in turn while the one it used does not answer."""

    def __init__(self, cluster, timeout=10.0):
        self.cluster = cluster
        self.timeout = timeout
        self.client = None
        self.address = None
        self.turn = 0

    def _connect(self):
        if self.client:
            self.client.close()
            self.client = None
        if self.address is None:
            nodes = self.cluster.nodes
            self.address = nodes[self.turn % len(nodes)].address
            self.turn += 1
        host, port = self.address.rsplit(":", 1)
        self.client = Client(host, int(port), timeout=self.timeout, tls=self.cluster.tls)

    def _drop(self, forget_address):
        if self.client:
            self.client.close()
        self.client = None
        if forget_address:
            self.address = None

    def call(self, method, params=None, attempts=100):
        for _ in range(attempts):
            try:
                if self.client is None:
                    self._connect()
                return self.client.call(method, params)
            except RPCError as error:
                if error.code == 421:
                    primary = (error.data or {}).get("primary")
                    self._drop(forget_address=True)
                    if primary:
                        self.address = primary
                    else:
                        time.sleep(0.1)
                    continue
                raise
            except (OSError, ConnectionError, ValueError):
                # The node is gone, or went away mid-call: the outcome of this call is unknown.
                self._drop(forget_address=True)
                time.sleep(0.05)
        raise AssertionError(f"{method} never reached a primary")

    def close(self):
        self._drop(forget_address=False)
