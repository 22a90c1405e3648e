"""A pmd process for the measuring scripts: started on a fresh data directory (or a given one)
and loopback ports, with a low scrypt cost so setup is quick; called with `pmd call`."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE = os.path.join(ROOT, ".build", "release")


class PMD:
    def __init__(self, binary=os.path.join(RELEASE, "pmd"), data=None):
        self.binary = binary
        self.own_data = data is None
        self.data = data or tempfile.mkdtemp(prefix="pmd-measure-")
        self.port = random.randint(20000, 40000)
        self.env = dict(os.environ, PMD_DATA_DIR=self.data, PMD_RPC_ADDR=f"127.0.0.1:{self.port}",
                        PMD_HTTP_ADDR=f"127.0.0.1:{self.port + 1}", PMD_SCRYPT_N="16", PMD_LOG_LEVEL="error")
        self.env.pop("PMD_RPC_KEY", None)
        self.process = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        """Starts pmd; returns the seconds until `system.ping` answered (recovery included)."""
        started = time.monotonic()
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        while subprocess.run([self.binary, "call", "system.ping"], env=self.env, capture_output=True).returncode != 0:
            if self.process.poll() is not None:
                raise SystemExit(f"pmd exited with {self.process.returncode}")
            if time.monotonic() - started > 120:
                self.kill()
                raise SystemExit("pmd did not answer system.ping within 120 s")
            time.sleep(0.05)
        return time.monotonic() - started

    def call(self, method):
        out = subprocess.run([self.binary, "call", method], env=self.env, capture_output=True, text=True, check=True)
        reply = json.loads(out.stdout)
        return reply.get("result", reply)

    def kill(self, sig=signal.SIGKILL):
        self.process.send_signal(sig)
        self.process.wait()

    def close(self):
        if self.process and self.process.poll() is None:
            self.kill(signal.SIGTERM)
        if self.own_data:
            shutil.rmtree(self.data, ignore_errors=True)


def bench(address, *args, **popen):
    """pmd-bench from this checkout's release build."""
    return subprocess.Popen([os.path.join(RELEASE, "pmd-bench"), "--addr", address, "--setup-connections", "50",
                             *map(str, args)], **popen)
