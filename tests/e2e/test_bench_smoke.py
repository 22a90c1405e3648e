"""pmd-bench runs against a real pmd and reports every workload with zero errors. A smoke test of
the instrument only: benchmarks are not tests, so no timing is asserted (SPEC §9)."""
import json
import os
import subprocess

import pytest

from pmdserver import ROOT

BENCH = os.environ.get("PMD_BENCH_BINARY") or os.path.join(ROOT, ".build", "debug", "pmd-bench")


def run_bench(pmd, *args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PMD_")}
    return subprocess.run(
        [BENCH, "--addr", f"127.0.0.1:{pmd.rpc_port}", "--connections", "4", "--users", "8",
         "--setup-connections", "2", "--duration", "1", "--warmup", "0", "--pipeline", "4", "--json", *args],
        env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("client", ["epoll", "nio", "threads"])
def test_bench_reports_every_workload_without_errors(pmd, client):
    done = run_bench(pmd, "--workloads", "read,write,mixed", "--client", client)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == 0
    runs = {(r["workload"], r["pipeline"]) for r in report["results"]}
    assert runs == {(w, d) for w in ("read", "write", "mixed") for d in (1, 4)}
    for result in report["results"]:
        assert result["errors"] == 0, result["errorSamples"]
        assert result["requests"] > 0
        assert result["latencyMs"]["p50"] <= result["latencyMs"]["p99"] <= result["latencyMs"]["max"]
    write = next(r for r in report["results"] if r["workload"] == "write" and r["pipeline"] == 1)
    assert write["commits"]["records"] > 0 and write["commits"]["batches"] > 0


def test_bench_skips_tenant_write_until_pmd_has_tenancy(pmd):
    with pmd.client() as c:
        methods = {m["name"] for m in c.call("rpc.methods")["methods"]}
    done = run_bench(pmd, "--workloads", "tenant-write", "--tenants", "3")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    if "tenants.create" in methods:
        assert report["skipped"] == []
        assert [r["errors"] for r in report["results"]] == [0, 0]
        assert all(r["requests"] > 0 for r in report["results"])
    else:
        assert report["results"] == []
        assert report["skipped"][0]["workload"] == "tenant-write"
        assert "tenants.create" in report["skipped"][0]["reason"]


def test_bench_reuses_saved_fixtures_on_the_same_pmd_and_sets_up_afresh_on_another(pmd, pmd_factory, tmp_path):
    path = str(tmp_path / "fixtures.json")
    done = run_bench(pmd, "--workloads", "tenant-write", "--tenants", "3", "--fixtures", path, "--setup-only")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # nothing was measured
    saved = json.load(open(path))
    assert len(saved["sessions"]) == 8 and len(saved["tenants"]) == 3
    with pmd.client() as c:
        users_after_setup = c.call("system.stats")["users"]

    again = run_bench(pmd, "--workloads", "read,tenant-write", "--tenants", "3", "--fixtures", path)
    assert again.returncode == 0, again.stderr
    assert "8 users, 3 tenants from" in again.stderr
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in json.loads(again.stdout)["results"])
    with pmd.client() as c:
        assert c.call("system.stats")["users"] == users_after_setup  # nobody signed up again
    assert json.load(open(path)) == saved

    # More users than the file holds: a new set, saved in its place.
    more = run_bench(pmd, "--workloads", "read", "--users", "12", "--fixtures", path, "--setup-only")
    assert more.returncode == 0, more.stderr
    assert len(json.load(open(path))["sessions"]) == 12

    other = pmd_factory()
    fresh = run_bench(other, "--workloads", "read", "--fixtures", path)
    assert fresh.returncode == 0, fresh.stderr
    assert "is not for this pmd" in fresh.stderr
    assert json.loads(fresh.stdout)["results"][0]["errors"] == 0
    with other.client() as c:
        assert c.call("system.stats")["users"] == 8


def test_bench_setup_only_needs_a_fixture_file(pmd):
    done = run_bench(pmd, "--setup-only")
    assert done.returncode != 0
    assert "--setup-only needs --fixtures" in done.stderr
