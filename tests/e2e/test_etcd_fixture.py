"""The `etcd` fixture runs a real etcd that keeps its data across a crash and a restart."""
import urllib.error

import pytest


def test_etcd_answers_on_its_json_gateway_and_keeps_keys_across_kill_and_restart(etcd):
    revision = etcd.put("/pmd/e2e/key", b"\x00value\xff")
    assert revision >= 2
    assert etcd.get("/pmd/e2e/key") == b"\x00value\xff"
    assert etcd.get("/pmd/e2e/absent") is None
    etcd.put("/pmd/e2e/other", "x")
    assert etcd.get_prefix("/pmd/e2e/") == {"/pmd/e2e/key": b"\x00value\xff", "/pmd/e2e/other": b"x"}

    etcd.kill()
    with pytest.raises(urllib.error.URLError):
        etcd.get("/pmd/e2e/key")
    etcd.restart()
    assert etcd.get("/pmd/e2e/key") == b"\x00value\xff"
    assert not etcd.url.endswith(":2379")
