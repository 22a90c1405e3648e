"""Operating pmd: PMD_RPC_KEY, configuration errors, the CLI (call, check-config, backup,
wal tail), the data-directory lock and WAL compaction — each against the real binary."""
import json
import os
import shutil
import stat
import tempfile
import time

from conftest import unique_email
from pmdclient import Client
from pmdserver import PMD, run_cli

PASSWORD = "correct horse battery"
KEY = "0123456789abcdef-secret"


def test_rpc_key_gates_every_connection(pmd_factory):
    server = pmd_factory(env={"PMD_RPC_KEY": KEY})
    with server.client() as c:
        response = c.request("system.ping")
        assert response["error"]["code"] == 401
        assert c.is_closed(), "anything but rpc.auth first closes the connection"
    with server.client() as c:
        response = c.request("rpc.auth", {"key": KEY[:-1] + "X"})
        assert response["error"]["code"] == 401
        assert c.is_closed()
    with server.client() as c:
        assert c.call("rpc.auth", {"key": KEY}) == {"ok": True}
        assert c.call("system.ping") == {"pong": True}
        assert c.call("rpc.auth", {"key": KEY}) == {"ok": True}, "authenticating again is harmless"
    with server.client() as c:
        # As a notification rpc.auth is obeyed but, like any notification, never answered.
        c.send_line({"jsonrpc": "2.0", "method": "rpc.auth", "params": {"key": KEY}})
        assert c.call("system.ping") == {"pong": True}, "the first line answered is the ping's"
    with server.client() as c:
        c.send_line({"jsonrpc": "2.0", "method": "rpc.auth", "params": {"key": KEY[:-1] + "X"}})
        assert c.read_raw_line() in (None, b""), "a wrong key sent as a notification closes without an answer"
        assert c.is_closed()
    call = run_cli("call", "system.ping", env={"PMD_RPC_ADDR": f"127.0.0.1:{server.rpc_port}", "PMD_RPC_KEY": KEY})
    assert call.returncode == 0, call.stderr
    assert json.loads(call.stdout)["result"] == {"pong": True}
    refused = run_cli("call", "system.ping", env={"PMD_RPC_ADDR": f"127.0.0.1:{server.rpc_port}"})
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["code"] == 401


def test_invalid_configuration_stops_startup_with_one_line_per_problem():
    result = run_cli("serve", env={"PMD_RPC_ADDR": "x", "PMD_MAP_SIZE": "lots", "PMD_DATADIR": "/tmp/typo"})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 'pmd: config: PMD_RPC_ADDR: expected host:port, got "x"' in lines
    assert any(line.startswith("pmd: config: PMD_MAP_SIZE:") for line in lines)
    assert any(line.startswith("pmd: config: PMD_DATADIR:") and "PMD_DATA_DIR" in line for line in lines)
    assert len(lines) == 3, lines


def test_check_config_validates_without_starting():
    good = run_cli("check-config", env={"PMD_RPC_KEY": KEY})
    assert good.returncode == 0
    assert "pmd: config: ok" in good.stdout
    assert KEY not in good.stdout, "secrets are redacted"
    bad = run_cli("check-config", "--max-line", "12parsecs")
    assert bad.returncode == 2
    assert "PMD_MAX_LINE" in bad.stderr


def test_pmd_call_prints_the_response_and_sets_the_exit_status(pmd):
    env = {"PMD_RPC_ADDR": f"127.0.0.1:{pmd.rpc_port}"}
    ok = run_cli("call", "system.health", env=env)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["result"]["status"] == "ok"
    assert "\n  " in ok.stdout, "pretty-printed"
    failed = run_cli("call", "users.me", '{"session":"nope"}', env=env)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["error"]["code"] == 401
    garbage = run_cli("call", "system.ping", "{not json", env=env)
    assert garbage.returncode == 2
    unreachable = run_cli("call", "system.ping", env={"PMD_RPC_ADDR": "127.0.0.1:1"})
    assert unreachable.returncode == 1


def test_a_second_pmd_on_the_same_directory_is_refused(pmd_factory):
    first = pmd_factory()
    second = PMD(data_dir=first.data_dir)
    try:
        try:
            second.start(timeout=15)
            raise AssertionError("a second pmd started on the same data directory")
        except RuntimeError as error:
            assert "in use by another pmd" in str(error)
    finally:
        second.cleanup()
    with first.client() as c:
        assert c.call("system.ping") == {"pong": True}


def test_backup_while_running_is_a_consistent_copy_that_starts(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        emails = [unique_email("backup") for _ in range(20)]
        for email in emails:
            c.call("auth.signup", {"email": email, "password": PASSWORD})
        destination = tempfile.mkdtemp(prefix="pmd-backup-")
        os.rmdir(destination)
        try:
            result = run_cli("backup", destination, env={"PMD_DATA_DIR": server.data_dir})
            assert result.returncode == 0, result.stderr
            assert "written to" in result.stdout
            again = run_cli("backup", destination, env={"PMD_DATA_DIR": server.data_dir})
            assert again.returncode == 1, "an existing, non-empty destination is refused"
            c.call("auth.signup", {"email": unique_email("after"), "password": PASSWORD})
            restored = PMD(data_dir=destination).start()
            try:
                with restored.client() as r:
                    for email in emails:
                        r.call("auth.login", {"email": email, "password": PASSWORD})
                    assert r.call("system.stats")["users"] == 20, "the copy is the state at backup time"
            finally:
                restored.kill()
        finally:
            shutil.rmtree(destination, ignore_errors=True)


def test_backup_files_are_readable_by_their_owner_only(pmd, tmp_path):
    """A backup holds password and token hashes: other local users must not read it."""
    with pmd.client() as c:
        c.call("auth.signup", {"email": unique_email(), "password": PASSWORD})
    destination = str(tmp_path / "backup")
    result = run_cli("backup", destination, env={"PMD_DATA_DIR": pmd.data_dir})
    assert result.returncode == 0, result.stderr
    files = [os.path.join(root, name) for root, _, names in os.walk(destination) for name in names]
    assert any(f.endswith("data.mdb") for f in files)
    for path in files:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o600, f"{path} has mode {oct(mode)}"


def test_wal_tail_prints_records_without_secrets(pmd):
    with pmd.client() as c:
        email = unique_email("tail")
        c.call("auth.signup", {"email": email, "password": PASSWORD})
        token = c.call("auth.login", {"email": email, "password": PASSWORD})["session"]["token"]
        c.call("users.update", {"session": token, "name": "Tail"})
    result = run_cli("wal", "tail", "-n", "3", env={"PMD_DATA_DIR": pmd.data_dir})
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in records] == ["user.signup", "session.login", "user.updated"]
    assert records[0]["lsn"] + 2 == records[2]["lsn"]
    assert records[2]["ops"][0]["row"]["name"] == "Tail"
    assert PASSWORD not in result.stdout and token not in result.stdout
    assert "scrypt" not in result.stdout, "password hashes are not printed"


def test_wal_is_compacted_to_the_retention_window_and_state_survives(pmd_factory):
    server = pmd_factory(env={"PMD_WAL_RETAIN": "10"})
    with server.client() as c:
        email = unique_email("compact")
        c.call("auth.signup", {"email": email, "password": PASSWORD})
        token = c.call("auth.login", {"email": email, "password": PASSWORD})["session"]["token"]
        for i in range(200):
            c.call("users.update", {"session": token, "name": f"n{i}"})
    # Records leave the log only once a checkpoint (at most 5 seconds later) has put them in the
    # tables; then PMD_WAL_RETAIN of them stay, with no further writes needed.
    deadline = time.monotonic() + 20
    while True:
        result = run_cli("wal", "tail", "-n", "1000", env={"PMD_DATA_DIR": server.data_dir})
        lines = result.stdout.splitlines()
        if len(lines) <= 10 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(lines) == 10, f"the log keeps PMD_WAL_RETAIN records, got {len(lines)}"
    server.kill()
    server.start()
    with server.client() as c:
        assert c.call("users.me", {"session": token})["name"] == "n199"
        c.call("auth.login", {"email": email, "password": PASSWORD})


def test_log_and_tables_are_two_environments_each_with_a_named_writer(pmd):
    assert os.path.exists(os.path.join(pmd.data_dir, "data.mdb")), "the log"
    assert os.path.exists(os.path.join(pmd.data_dir, "tables", "data.mdb")), "the tables"
    # Operators find the two storage threads by name (top -H, perf, ionice -p).
    task_dir = f"/proc/{pmd.proc.pid}/task"
    names = set()
    for tid in os.listdir(task_dir):
        with open(os.path.join(task_dir, tid, "comm")) as f:
            names.add(f.read().strip())
    assert {"pmd-wal-writer", "pmd-checkpoint"} <= names, names


def test_the_allocator_is_jemalloc(pmd):
    # Linked in for speed (README, Performance): a build that silently fell back to glibc's
    # malloc (a dropped link flag, a missing package) would still pass every other test.
    with open(f"/proc/{pmd.proc.pid}/maps") as f:
        libraries = {line.split()[-1] for line in f if "/" in line}
    assert any("libjemalloc" in path for path in libraries), sorted(libraries)
