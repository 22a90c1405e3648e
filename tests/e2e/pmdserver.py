"""Starts and stops the real pmd binary for tests."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

from pmdclient import Client

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("PMD_TEST_BINARY") or os.path.join(ROOT, ".build", "debug", "pmd")
LISTEN = re.compile(r"(rpc|http) listening on ([0-9a-fA-F.:\[\]]+):(\d+)")


class PMD:
    """One pmd process on a data directory, listening on free ports."""

    def __init__(self, data_dir=None, env=None, extra_args=(), preexec_fn=None, tls=None):
        """`tls`: the ssl.SSLContext clients use when env gives pmd PMD_TLS_CERT."""
        self.tls = tls
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="pmd-e2e-")
        self.env = {
            "PMD_DATA_DIR": self.data_dir,
            "PMD_RPC_ADDR": "127.0.0.1:0",
            "PMD_HTTP_ADDR": "127.0.0.1:0",
            "PMD_SCRYPT_N": "1024",
            "PMD_MAP_SIZE": "256MiB",
            "PMD_LOG_LEVEL": "info",
        }
        self.env.update(env or {})
        self.extra_args = list(extra_args)
        self.preexec_fn = preexec_fn
        self.proc = None
        self.log_path = None
        self.rpc_port = None
        self.http_port = None

    def start(self, timeout=30):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("PMD_", "STRIPE_"))}
        environment.update(self.env)
        fd, self.log_path = tempfile.mkstemp(prefix="pmd-log-", suffix=".log")
        self.log = os.fdopen(fd, "w+")
        self.proc = subprocess.Popen(
            [BINARY, "serve", *self.extra_args], env=environment, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=self.preexec_fn)
        deadline = time.time() + timeout
        self.rpc_port = self.http_port = None
        while time.time() < deadline:
            text = self.output()
            for kind, _, port in LISTEN.findall(text):
                if kind == "rpc":
                    self.rpc_port = int(port)
                else:
                    self.http_port = int(port)
            if self.rpc_port and self.http_port:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"pmd exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.02)
        raise RuntimeError(f"pmd did not start in {timeout}s:\n{self.output()}")

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def client(self, timeout=30.0):
        return Client("127.0.0.1", self.rpc_port, timeout=timeout, tls=self.tls)

    def http(self, path, method="GET", body=None, headers=None):
        """(status, body bytes, headers) of an HTTP request to pmd's HTTP listener."""
        scheme = "https" if self.tls else "http"
        request = urllib.request.Request(
            f"{scheme}://127.0.0.1:{self.http_port}{path}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.tls) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def kill(self):
        """kill -9: no chance to flush anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def terminate(self, timeout=30):
        """SIGTERM and wait; returns the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def restart(self, **kwargs):
        self.terminate()
        return self.start(**kwargs)

    def cleanup(self):
        self.kill()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)


def run_cli(*args, env=None, timeout=60, input=None):
    """Runs `pmd ARGS` and returns the CompletedProcess."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PMD_", "STRIPE_"))}
    environment.update(env or {})
    return subprocess.run(
        [BINARY, *args], env=environment, capture_output=True, text=True, timeout=timeout, input=input)
