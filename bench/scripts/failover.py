#!/usr/bin/env python3
"""Failover time of a pmd cluster, measured (issue 18): a real etcd and three release pmd nodes on
loopback (PMD_LEADER_TTL=3s, PMD_SYNC_STANDBYS=1), writer threads updating their own user through
clients that follow 421 redirects; each round `kill -9`s the primary and times how long until the
first write is acknowledged by the new primary, then restarts the killed node and waits for every
node to hold the same data. At the end every acknowledged write is checked on the primary.

    bench/scripts/failover.py --rounds 10 [--binary .build/release/pmd] [--writers 6]
"""
import argparse
import os
import statistics
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--ttl", default="3s")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "pmd"))
    args = parser.parse_args()
    os.environ["PMD_TEST_BINARY"] = args.binary

    from clusterharness import Cluster
    from conftest import wait_until
    from etcdserver import Etcd
    from test_cluster import Writers

    etcd = Etcd().start()
    cluster = Cluster(etcd, env={"PMD_LEADER_TTL": args.ttl}).start()
    times = []
    try:
        cluster.wait_standbys(cluster.primary(), 2)
        with Writers(cluster, count=args.writers) as writers:
            for round in range(1, args.rounds + 1):
                primary = cluster.primary()
                cluster.wait_standbys(primary, 2)
                before = dict(writers.acknowledged)
                wait_until(lambda: all(writers.acknowledged[e] > before[e] + 3 for e in before), what="writes")
                progressed = {}
                primary.kill()
                killed = time.monotonic()
                progressed.update(writers.acknowledged)
                first = None
                while first is None:
                    if any(writers.acknowledged[e] > progressed[e] for e in progressed):
                        first = time.monotonic() - killed
                    time.sleep(0.005)
                times.append(first)
                new = cluster.primary(exclude=[primary])
                print(f"round {round}: killed {primary.name}, {new.name} acknowledged a write after {first:.2f} s", flush=True)
                primary.start()
                cluster.wait_converged()
        primary = cluster.primary()
        writers.check(primary)
        acknowledged = sum(v + 1 for v in writers.acknowledged.values())
        print(f"\nfailover (kill -9 → first acknowledged write on the new primary), {len(times)} rounds, "
              f"PMD_LEADER_TTL={args.ttl}: median {statistics.median(times):.2f} s, worst {max(times):.2f} s, "
              f"best {min(times):.2f} s")
        print(f"acknowledged writes checked: {acknowledged}, lost: 0")
    finally:
        cluster.cleanup()
        etcd.cleanup()


if __name__ == "__main__":
    main()
