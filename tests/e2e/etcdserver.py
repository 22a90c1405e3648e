"""A real etcd (Debian's etcd-server, /usr/bin/etcd) for the end-to-end tests: a one-member
cluster on free loopback ports with its own temporary data dir, never the system's etcd on 2379.

    etcd = Etcd().start()
    server = PMD(env={"PMD_ETCD_ENDPOINTS": etcd.url}).start()
    ...
    etcd.kill()      # as a crash: SIGKILL
    etcd.restart()   # same ports, same data dir: the keys written before are still there
    etcd.pause()     # SIGSTOP: connections are accepted, nothing is answered (a wedged member)
    etcd.resume()
    etcd.cleanup()   # stops it and removes its data dir

The ports are chosen when the object is made, so `url` can be handed out before etcd runs (made
but not started, it plays an etcd that is down: connections are refused). Data dirs go to tmpfs
when there is one: the tests are about pmd, and a shared disk's fsync stalls only add noise.
`get`/`put` speak etcd's v3 JSON gateway directly, for tests that look at what pmd wrote.

conftest.py has the `etcd` fixture (one started etcd, cleaned up after the test).
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BINARY = "/usr/bin/etcd"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scratch():
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


class Etcd:
    """One etcd process on fixed loopback ports and one data dir, across restarts."""

    def __init__(self, name="pmd-e2e"):
        if not os.access(BINARY, os.X_OK):
            raise RuntimeError(f"{BINARY} is missing: the etcd tests need Debian's etcd-server, which scripts/test installs")
        self.name = name
        self.client_port = _free_port()
        self.peer_port = _free_port()
        self.url = f"http://127.0.0.1:{self.client_port}"
        self.peer_url = f"http://127.0.0.1:{self.peer_port}"
        self.directory = tempfile.mkdtemp(prefix="pmd-etcd-e2e-", dir=_scratch())
        self.data_dir = os.path.join(self.directory, "data")
        self.log_path = os.path.join(self.directory, "etcd.log")
        self.proc = None

    def start(self, timeout=20):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [BINARY, "--name", self.name, "--data-dir", self.data_dir,
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
             "--initial-cluster", f"{self.name}={self.peer_url}", "--initial-cluster-state", "new",
             "--logger", "zap", "--log-level", "warn"],
            # etcd reads ETCD_* variables as flags, and refuses one that a flag here also sets.
            env={k: v for k, v in os.environ.items() if not k.startswith("ETCD_")},
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"etcd exited with {self.proc.returncode}:\n{self.output()[-2000:]}")
            if self.healthy():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"etcd did not answer /health on {self.url} within {timeout}s:\n{self.output()[-2000:]}")

    def healthy(self):
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                return json.load(response).get("health") == "true"
        except (OSError, ValueError):
            return False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, SIGKILL if it lingers."""
        self._end(signal.SIGTERM, timeout)

    def kill(self):
        self._end(signal.SIGKILL, 10)

    def restart(self, timeout=20):
        self.stop()
        return self.start(timeout)

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def output(self):
        try:
            with open(self.log_path) as log:
                return log.read()
        except OSError:
            return ""

    def _end(self, sig, timeout):
        if not self.running():
            return
        self.proc.send_signal(signal.SIGCONT)
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    # etcd's v3 JSON gateway: keys and values are base64, 64-bit integers strings.

    def call(self, path, body, timeout=5):
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def put(self, key, value):
        """Puts `value` (str or bytes) at `key`; returns the store revision."""
        value = value.encode() if isinstance(value, str) else value
        answer = self.call("/v3/kv/put", {"key": _b64(key), "value": base64.b64encode(value).decode()})
        return int(answer["header"]["revision"])

    def get(self, key):
        """The value at `key` as bytes, or None."""
        kvs = self.call("/v3/kv/range", {"key": _b64(key)}).get("kvs", [])
        return base64.b64decode(kvs[0].get("value", "")) if kvs else None

    def get_prefix(self, prefix):
        """{key: value bytes} for every key starting with `prefix`."""
        end = bytearray(prefix.encode())
        while end and end[-1] == 0xFF:
            end.pop()
        end = bytes(end[:-1]) + bytes([end[-1] + 1]) if end else b"\0"
        answer = self.call("/v3/kv/range", {"key": _b64(prefix), "range_end": base64.b64encode(end).decode()})
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")) for kv in answer.get("kvs", [])}


def _b64(key):
    return base64.b64encode(key.encode()).decode()
