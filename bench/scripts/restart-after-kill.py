#!/usr/bin/env python3
"""How long pmd takes to answer again after `kill -9` under write load: a fresh pmd gets --users
users, then pipelined `users.update` load; after --load-seconds of it pmd is killed, started on the
same directory, and timed until `system.ping` answers (replay of what the tables lacked included).

Usage: bench/scripts/restart-after-kill.py [--users 100000] [--load-seconds 8] [--pmd PATH]"""
import argparse
import subprocess
import time

from pmdproc import PMD, bench


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100000)
    parser.add_argument("--load-seconds", type=float, default=8)
    parser.add_argument("--pmd", default=PMD().binary)
    args = parser.parse_args()
    pmd = PMD(binary=args.pmd)
    fixtures = pmd.data + ".fixtures.json"
    try:
        pmd.start()
        bench(pmd.address, "--users", args.users, "--setup-only", "--quiet", "--fixtures", fixtures).wait()
        load = bench(pmd.address, "--users", args.users, "--fixtures", fixtures, "--workloads", "write",
                     "--pipeline", 16, "--pipelined-only", "--duration", 3600, "--warmup", 0, "--quiet",
                     stdout=subprocess.DEVNULL)
        time.sleep(args.load_seconds)
        before = pmd.call("system.health")["durableLsn"]
        pmd.kill()
        load.kill()
        load.wait()
        seconds = pmd.start()
        after = pmd.call("system.health")["durableLsn"]
        print(f"restart after kill -9 under pipelined users.update load ({args.users} users, "
              f"{args.load_seconds:g} s of load): {seconds:.2f} s until system.ping answers; "
              f"durable LSN {before} a moment before the kill, {after} after the restart")
        if after < before:
            raise SystemExit("a durable record was lost")
    finally:
        pmd.close()
        subprocess.run(["rm", "-f", fixtures])


if __name__ == "__main__":
    main()
