# Shared by bench/compare and bench/replicated: logging, ports, PostgreSQL as its own user, a
# work directory whose processes are stopped on exit, the machine probe and pgbench's numbers.

log() { echo "==> $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PostgreSQL refuses to run as root: then its directories and processes belong to `postgres`.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A temporary WORK directory with RESULTS in it; the processes in PIDS and the PostgreSQL data
# directories in PG_STOP are stopped, and WORK removed, on exit.
bench_workdir() { # name
    WORK=$(mktemp -d "/tmp/pmd-$1.XXXXXX")
    chmod 755 "$WORK"
    RESULTS="$WORK/results"
    mkdir -p "$RESULTS"
    PIDS=()
    PG_STOP=()
    trap bench_cleanup EXIT
}

bench_cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    for data in "${PG_STOP[@]}"; do
        [ -f "$data/postmaster.pid" ] && as_pg "$PG_CTL" -D "$data" -m fast -w stop >/dev/null 2>&1
    done
    rm -rf "$WORK"
}

# The machine's fsync speed and how idle it was, as JSON.
machine_probe() {
    log "machine: measuring fsync and how busy the machine is"
    python3 - "$WORK/fsync-probe" <<'PY'
import json, os, sys, time
path = sys.argv[1]
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
block = b"x" * 4096
os.write(fd, block * 256); os.fsync(fd)
count, start = 0, time.monotonic()
while time.monotonic() - start < 2.0:
    os.pwrite(fd, block, (count % 256) * 4096)
    os.fdatasync(fd)
    count += 1
elapsed = time.monotonic() - start
os.close(fd); os.unlink(path)
def cpu_times():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)
idle0, total0 = cpu_times(); time.sleep(2); idle1, total1 = cpu_times()
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(json.dumps({"nproc": os.cpu_count(), "cpu": model, "fdatasyncPerSecond": count / elapsed,
                  "fdatasyncMicros": elapsed / count * 1e6,
                  "idlePercentBefore": 100.0 * (idle1 - idle0) / max(1, total1 - total0)}))
PY
}

# pgbench with CONNECTIONS clients for WARMUP then DURATION seconds of SCRIPT on PORT, as JSON:
# throughput and exact percentiles from the per-transaction log (field 3: latency in µs).
pgbench_json() { # port script scratch-dir
    local port=$1 script=$2 dir=$3
    mkdir -p "$dir"
    pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$WARMUP" \
        -f "$script" postgres >/dev/null 2>&1 || true
    (cd "$dir" && pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 \
        -T "$DURATION" -l -f "$script" postgres > "$dir/summary.txt" 2>&1)
    python3 - "$dir" <<'PY'
import glob, json, re, sys
d = sys.argv[1]
lat = sorted(int(line.split()[2]) for f in glob.glob(d + "/pgbench_log.*") for line in open(f))
text = open(d + "/summary.txt").read()
tps = float(re.search(r"tps = ([0-9.]+)", text).group(1))
failed = re.search(r"number of failed transactions: (\d+)", text)
rank = lambda p: lat[max(0, -(-len(lat) * p // 100) - 1)] / 1000
print(json.dumps({"rps": tps, "p50": rank(50), "p99": rank(99), "count": len(lat),
                  "errors": int(failed.group(1)) if failed else 0}))
PY
    rm -rf "$dir"
}
