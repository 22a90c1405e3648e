#!/usr/bin/env python3
"""Instructions pmd executes per request, counted by valgrind's callgrind. Unlike requests per
second or CPU time, the count hardly moves with the host's load, so two builds can be compared
on a busy shared machine where a few percent is lost in the noise of timed runs.

Each pmd runs under callgrind with instrumentation off while pmd-bench sets up --users users;
instrumentation is then switched on for --duration seconds of each workload (pmd-bench, not
pipelined unless --pipeline) and the instructions are divided by the calls pmd counted for the
workload's method (`system.stats`). Threads are counted apart: `loop` is the thread that ran
the most (the event loop), `other` every other thread but the main one (the log's writer, the
checkpointer, timers). Kernel work (syscalls) is not counted.

Two workarounds, both for the measurement only: valgrind 3.19 cannot read the DWARF 5 debug
information Swift emits, so a copy of the binary without it is run; and it crashes when
libdispatch's `dispatch_main` parks the main thread (Swift's async `main` calls it), so a
five-line shim is preloaded whose `dispatch_main` drains the main queue from the main thread
instead (it polls every millisecond; the main thread is left out of the counts).

Usage: bench/scripts/instructions.py [--workloads read,write] [--users 2000] [--duration 10]
           [--pipeline 1] [--pmd PATH ...]     (several --pmd: each measured the same way)"""
import argparse
import glob
import os
import shutil
import subprocess
import tempfile

from pmdproc import PMD, bench

METHOD = {"read": "users.me", "write": "users.update", "tenant-write": "companies.update"}

SHIM = r"""
#include <stddef.h>
#include <unistd.h>
extern void _dispatch_main_queue_callback_4CF(void *);
void dispatch_main(void) {
    for (;;) { _dispatch_main_queue_callback_4CF(NULL); usleep(1000); }
}
"""


def build_shim(directory):
    source = os.path.join(directory, "shim.c")
    library = os.path.join(directory, "shim.so")
    with open(source, "w") as f:
        f.write(SHIM)
    dispatch = os.path.join(os.path.dirname(os.path.realpath(shutil.which("swift"))), "..", "lib", "swift", "linux")
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", source, "-o", library, "-L" + dispatch, "-ldispatch",
                    "-Wl,-rpath," + dispatch], check=True)
    return library


class CallgrindPMD(PMD):
    """pmd under callgrind, one output file per thread, instrumentation off until `collect`."""

    def __init__(self, binary, shim):
        super().__init__(binary=binary)
        self.out = tempfile.mkdtemp(prefix="pmd-callgrind-")
        self.plain = os.path.join(self.out, "pmd")
        subprocess.run(["objcopy", "--strip-debug", binary, self.plain], check=True)
        self.env["PMD_MAP_SIZE"] = "1GiB"
        self.shim = shim

    def start(self):
        # PMD.start runs `binary serve` and then `binary call system.ping`: only `serve` goes
        # under valgrind.
        real = self.binary
        wrapper = os.path.join(self.out, "pmd-under-callgrind")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n")
            f.write(f'[ "$1" = serve ] || exec {real} "$@"\n')
            f.write(f"LD_PRELOAD={self.shim} exec valgrind --tool=callgrind --instr-atstart=no "
                    f"--separate-threads=yes --dump-instr=no --callgrind-out-file={self.out}/callgrind.out.%p "
                    f'{self.plain} "$@" 2>{self.out}/valgrind.log\n')
        os.chmod(wrapper, 0o755)
        self.binary = wrapper
        try:
            return super().start()
        finally:
            self.binary = real

    def control(self, *args):
        subprocess.run(["callgrind_control", *args, str(self.process.pid)], check=True, capture_output=True)

    def calls(self, method):
        return self.call("system.stats")["requests"].get(method, {}).get("calls", 0)

    def collect(self, method, run):
        """(calls, loop instructions per call, other threads' instructions per call) while `run()` runs."""
        for f in glob.glob(os.path.join(self.out, "callgrind.out.*")):
            os.remove(f)
        self.control("-z")
        before = self.calls(method)
        self.control("-i", "on")
        run()
        self.control("-i", "off")
        after = self.calls(method)
        self.control("-d")
        counts = []
        for path in glob.glob(os.path.join(self.out, "callgrind.out.*")):
            if not path.endswith("-01"):  # the main thread, polling in the shim
                counts.append(thread_total(path))
        counts.sort(reverse=True)
        calls = after - before
        return calls, counts[0] / calls, sum(counts[1:]) / calls

    def close(self):
        super().close()
        shutil.rmtree(self.out, ignore_errors=True)


def thread_total(path):
    """The thread's instruction count (a dump's `totals:` line; `summary:` is 0 after a zeroing)."""
    with open(path) as f:
        for line in f:
            if line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="read,write")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--pipeline", type=int, default=1)
    parser.add_argument("--pmd", action="append", help="pmd binary (default: this checkout's release build)")
    parser.add_argument("--keep", metavar="DIR", help="copy each workload's callgrind dumps into DIR/<n>-<workload>/ "
                        "(for callgrind_annotate)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="pmd-instructions-")
    try:
        shim = build_shim(work)
        print(f"{'pmd':<34} {'workload':<12} {'calls':>7} {'loop instr/call':>16} {'other instr/call':>17}")
        for n, binary in enumerate(args.pmd or [PMD().binary]):
            measure(binary, shim, args, n)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(binary, shim, args, n):
    pmd = CallgrindPMD(binary, shim)
    fixtures = pmd.data + ".fixtures.json"
    try:
        pmd.start()
        bench(pmd.address, "--users", args.users, "--setup-only", "--quiet", "--fixtures", fixtures,
              stdout=subprocess.DEVNULL).wait()
        for workload in args.workloads.split(","):
            pipelined = ["--pipelined-only", "--pipeline", args.pipeline] if args.pipeline > 1 else ["--pipeline", 1]

            def run():
                # pmd-bench exits 1 when a request failed: a count over errors would mean nothing.
                if bench(pmd.address, "--users", args.users, "--fixtures", fixtures, "--connections", args.connections,
                         "--workloads", workload, "--duration", args.duration, "--warmup", 0, "--quiet", *pipelined,
                         stdout=subprocess.DEVNULL).wait() != 0:
                    raise SystemExit(f"pmd-bench reported failed requests ({binary}, {workload})")

            calls, loop, other = pmd.collect(METHOD[workload], run)
            if args.keep:
                kept = os.path.join(args.keep, f"{n}-{workload}")
                os.makedirs(kept, exist_ok=True)
                for path in glob.glob(os.path.join(pmd.out, "callgrind.out.*")):
                    shutil.copy(path, kept)
            name = workload + (f" x{args.pipeline}" if args.pipeline > 1 else "")
            print(f"{binary:<34} {name:<12} {calls:>7} {loop:>16,.0f} {other:>17,.0f}", flush=True)
    finally:
        pmd.close()
        if os.path.exists(fixtures):
            os.remove(fixtures)


if __name__ == "__main__":
    main()
