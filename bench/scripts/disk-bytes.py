#!/usr/bin/env python3
"""Bytes pmd makes the disk write per `users.update`: the block layer's count (`write_bytes` in
/proc/PID/io) and what pmd hands to write calls (`wchar`), divided by the updates pmd served in the
same window, while `pmd-bench --workloads write --pipeline 1` runs against a fresh pmd.

Usage: bench/scripts/disk-bytes.py [--users 100000] [--seconds 12] [--pmd PATH] [--runs 2]"""
import argparse
import json
import subprocess
import threading
import time

from pmdproc import PMD, bench


def io_counters(pid):
    return {key: int(value) for key, value in (line.split(":") for line in open(f"/proc/{pid}/io"))}


def measure(args):
    pmd = PMD(binary=args.pmd)
    try:
        pmd.start()
        fixtures = pmd.data + ".fixtures.json"
        bench(pmd.address, "--users", args.users, "--setup-only", "--quiet", "--fixtures", fixtures).wait()
        samples, done = [], threading.Event()

        def sample():
            while not done.is_set():
                updates = pmd.call("system.stats")["requests"].get("users.update", {}).get("calls", 0)
                samples.append((io_counters(pmd.process.pid), updates))
                time.sleep(1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        run = bench(pmd.address, "--users", args.users, "--fixtures", fixtures, "--workloads", "write", "--pipeline", 1,
                    "--duration", args.seconds, "--warmup", 1, "--json", "--quiet", stdout=subprocess.PIPE, text=True)
        out = run.communicate()[0]
        done.set()
        sampler.join()
        window = [s for s in samples if s[1] > 0]
        (first, a), (last, b) = window[1], window[-1]  # from a second into the load to its end
        updates = b - a
        result = json.loads(out)["results"][0]
        return {"rps": result["requestsPerSecond"], "p99": result["latencyMs"]["p99"], "updates": updates,
                "write_bytes": (last["write_bytes"] - first["write_bytes"]) / updates,
                "wchar": (last["wchar"] - first["wchar"]) / updates}
    finally:
        pmd.close()
        subprocess.run(["rm", "-f", pmd.data + ".fixtures.json"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100000)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pmd", default=PMD().binary)
    args = parser.parse_args()
    for index in range(args.runs):
        r = measure(args)
        print(f"run {index + 1}: {r['rps']:.0f} req/s, p99 {r['p99']:.1f} ms, {r['updates']} updates; per update: "
              f"write_bytes {r['write_bytes'] / 1024:.1f} KiB, wchar {r['wchar'] / 1024:.1f} KiB", flush=True)


if __name__ == "__main__":
    main()
