#!/usr/bin/env python3
"""Fills a running pmd with users (and optionally one tenant per user) over JSON-RPC, pipelined
over several connections; not timed, used to measure recovery time and memory.
Usage: populate.py HOST:PORT USERS [TENANTS] [CONNECTIONS]"""
import json
import socket
import sys
import threading


def pipeline(host, port, lines, depth=500):
    """Sends lines in windows of `depth`, returns the parsed responses in order."""
    sock = socket.create_connection((host, port))
    f = sock.makefile("rwb")
    out = []
    for start in range(0, len(lines), depth):
        window = lines[start:start + depth]
        f.write(b"".join(json.dumps(line).encode() + b"\n" for line in window))
        f.flush()
        for _ in window:
            response = json.loads(f.readline())
            if "error" in response:
                raise SystemExit(f"error: {response}")
            out.append(response["result"])
    sock.close()
    return out


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    port = int(port)
    users = int(sys.argv[2])
    tenants = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    password = "correct horse battery"

    def work(index):
        mine = range(index, users, connections)
        pipeline(host, port, [{"id": n, "method": "auth.signup",
                               "params": {"email": f"u{n}@populate.example", "password": password, "name": f"User {n}"}}
                              for n in mine])
        owners = [n for n in mine if n < tenants]
        if owners:
            logins = pipeline(host, port, [{"id": n, "method": "auth.login",
                                            "params": {"email": f"u{n}@populate.example", "password": password}}
                                           for n in owners])
            pipeline(host, port, [{"id": n, "method": "tenants.create",
                                   "params": {"session": login["session"]["token"], "tenantName": f"Tenant {n}",
                                              "companyName": f"Company {n}"}}
                                  for n, login in zip(owners, logins)])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
