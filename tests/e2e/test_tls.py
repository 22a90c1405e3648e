"""TLS on both listeners (PMD_TLS_CERT, PMD_TLS_KEY), mutual TLS (PMD_TLS_CLIENT_CA), `pmd call
--tls` and the configuration's checks, against the real binary with certificates the openssl CLI
made (tlscerts.py)."""
import http.client
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.request

import pytest

from conftest import wait_until
from pmdclient import Client
from pmdserver import run_cli


@pytest.fixture
def tls_pmd(pmd_factory, tls_certs):
    return pmd_factory(env=tls_certs.server_env(), tls=tls_certs.client_context())


@pytest.fixture
def mtls_pmd(pmd_factory, tls_certs):
    return pmd_factory(
        env=tls_certs.server_env(client_ca=True),
        tls=tls_certs.client_context(tls_certs.client, tls_certs.client_key))


def read_until_closed(sock, timeout=10):
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except (ConnectionResetError, ssl.SSLError):
        pass
    return received


def test_json_rpc_over_tls_and_a_plaintext_client_gets_no_answer(tls_pmd, tls_certs):
    with tls_pmd.client() as client:
        assert client.sock.version() in ("TLSv1.2", "TLSv1.3")
        assert client.call("system.ping") == {"pong": True}
        # Pipelined requests and a batch work as over plain TCP.
        client.send_raw(b'{"id":1,"method":"system.ping"}\n[{"id":2,"method":"system.ping"},{"id":3,"method":"system.ping"}]\n')
        assert client.read_line()["id"] == 1
        assert [answer["id"] for answer in client.read_line()] == [2, 3]
    with socket.create_connection(("127.0.0.1", tls_pmd.rpc_port), timeout=10) as plain:
        plain.sendall(b'{"id":1,"method":"system.ping"}\n')
        received = read_until_closed(plain)
    assert b"jsonrpc" not in received and b"pong" not in received, received
    assert "tls=on" in tls_pmd.output()


def test_a_tls_client_that_half_closes_without_close_notify_gets_every_answer(pmd_factory, tls_certs):
    """`printf … | nc` over TLS: the client sends its requests and shuts its sending side with a
    bare TCP FIN, as most TLS clients do, then reads. pmd sees the end of input while the first
    request (a signup, slow with a real scrypt cost) is still running; both answers must come."""
    server = pmd_factory(env={**tls_certs.server_env(), "PMD_SCRYPT_N": "65536"})
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = tls_certs.client_context().wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    with socket.create_connection(("127.0.0.1", server.rpc_port), timeout=20) as sock:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        signup = {"email": "half@example.com", "password": "correct horse battery", "name": "Half"}
        tls.write(json.dumps({"id": 1, "method": "auth.signup", "params": signup}).encode() + b"\n")
        tls.write(b'{"id":2,"method":"system.ping"}\n')
        sock.sendall(outgoing.read())
        sock.shutdown(socket.SHUT_WR)
        plaintext = b""
        while chunk := sock.recv(65536):
            incoming.write(chunk)
            try:
                while data := tls.read(65536):
                    plaintext += data
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                pass
    answers = [json.loads(line) for line in plaintext.splitlines()]
    assert [answer["id"] for answer in answers] == [1, 2], plaintext
    assert answers[0]["result"]["success"] is True


def test_connection_limit_idle_timeout_and_back_pressure_hold_through_tls(pmd_factory, tls_certs):
    server = pmd_factory(
        env={**tls_certs.server_env(), "PMD_MAX_CONNECTIONS": "3", "PMD_IDLE_TIMEOUT": "2s"}, tls=tls_certs.client_context())
    held = [server.client() for _ in range(3)]
    try:
        for client in held:
            assert client.call("system.ping") == {"pong": True}
        with server.client() as refused:
            answer = refused.read_line()
            assert answer["error"]["message"] == "Too many connections", answer
            assert refused.is_closed()
        silent = held.pop()
        for _ in range(6):
            assert held[0].call("system.ping") == {"pong": True}
            time.sleep(0.5)
        assert silent.is_closed(wait=3), "a TLS connection that sent nothing for 2 s is closed"
        silent.close()
        # The slots of the two connections closed as idle (held[1] was silent too) are free again.
        wait_until(lambda: held[0].call("system.stats")["connections"]["open"] == 1, timeout=10, what="idle slots to free")
        # A client that asks for 4 × 12 MiB of replies and never reads stops being read from: pmd
        # holds about a socket buffer of them, not the replies (nor their ciphertext).
        before = rss_kib(server.proc.pid)
        reader_that_never_reads = server.client()
        held.append(reader_that_never_reads)
        batch = json.dumps([{"id": i, "method": "rpc.methods"} for i in range(1000)]).encode() + b"\n"
        reader_that_never_reads.send_raw(batch * 4)
        peak = before
        for _ in range(15):
            assert held[0].call("system.ping") == {"pong": True}
            peak = max(peak, rss_kib(server.proc.pid))
            time.sleep(0.2)
        # Unbounded, the replies and their ciphertext take about 50 MiB here; bounded, about 1 MiB.
        assert (peak - before) / 1024 < 16, f"RSS grew by {(peak - before) / 1024:.0f} MiB"
    finally:
        for client in held:
            client.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_mutual_tls_refuses_clients_without_a_certificate_of_the_ca(mtls_pmd, tls_certs):
    with mtls_pmd.client() as client:
        assert client.call("system.ping") == {"pong": True}
    for context in (tls_certs.client_context(), tls_certs.client_context(tls_certs.stranger, tls_certs.stranger_key)):
        # With TLS 1.3 the client's handshake ends before the server has checked its certificate:
        # the refusal comes as an alert, at the latest on the first read.
        with pytest.raises((ssl.SSLError, ConnectionError)):
            with Client("127.0.0.1", mtls_pmd.rpc_port, timeout=10, tls=context) as client:
                client.call("system.ping")
    assert "client certificates required" in mtls_pmd.output()


def test_https_health_and_plain_http_is_refused(tls_pmd, mtls_pmd, tls_certs):
    status, body, _ = tls_pmd.http("/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError)):
        urllib.request.urlopen(f"http://127.0.0.1:{tls_pmd.http_port}/api/health", timeout=10)
    # Mutual TLS covers HTTP too.
    status, body, _ = mtls_pmd.http("/metrics")
    assert status == 200 and b"pmd_" in body
    with pytest.raises((urllib.error.URLError, ssl.SSLError, http.client.HTTPException, ConnectionError)):
        urllib.request.urlopen(f"https://127.0.0.1:{mtls_pmd.http_port}/api/health", timeout=10, context=tls_certs.client_context())


def test_pmd_call_tls(tls_pmd, mtls_pmd, tls_certs):
    env = {"PMD_RPC_ADDR": f"127.0.0.1:{tls_pmd.rpc_port}"}
    ok = run_cli("call", "--tls", "--tls-ca", tls_certs.ca, "system.ping", env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["result"] == {"pong": True}
    # By name: the certificate's DNS name is checked (and sent as SNI).
    by_name = run_cli("call", "--tls-ca", tls_certs.ca, "system.ping", env={"PMD_RPC_ADDR": f"localhost:{tls_pmd.rpc_port}"})
    assert by_name.returncode == 0, by_name.stderr
    from_env = run_cli("call", "system.ping", env={**env, "PMD_TLS_CA": tls_certs.ca})
    assert from_env.returncode == 0, from_env.stderr
    untrusted = run_cli("call", "--tls", "system.ping", env=env)
    assert untrusted.returncode == 1
    assert untrusted.stderr.strip().endswith(
        "TLS: the server's certificate is not signed by a trusted CA (trust a private CA with --tls-ca FILE or PMD_TLS_CA)"), untrusted.stderr
    plain = run_cli("call", "system.ping", env=env)
    assert plain.returncode == 1 and "speaks TLS only: add --tls" in plain.stderr, plain.stderr
    missing = run_cli("call", "--tls-ca", "/nonexistent/ca.pem", "system.ping", env=env)
    assert missing.returncode == 2 and "expected a PEM file of certificates" in missing.stderr, missing.stderr
    # Mutual TLS: a client certificate from --tls-cert/--tls-key.
    env = {"PMD_RPC_ADDR": f"127.0.0.1:{mtls_pmd.rpc_port}", "PMD_TLS_CA": tls_certs.ca}
    anonymous = run_cli("call", "system.ping", env=env)
    assert anonymous.returncode == 1 and "requires a client certificate" in anonymous.stderr, anonymous.stderr
    stranger = run_cli("call", "--tls-cert", tls_certs.stranger, "--tls-key", tls_certs.stranger_key, "system.ping", env=env)
    assert stranger.returncode == 1 and "does not trust the client certificate" in stranger.stderr, stranger.stderr
    known = run_cli("call", "--tls-cert", tls_certs.client, "--tls-key", tls_certs.client_key, "system.ping", env=env)
    assert known.returncode == 0, known.stderr


def test_a_certificate_for_another_name_is_refused(pmd_factory, tls_certs):
    """Clients check the name: a certificate the trusted CA made for another host is no use."""
    cert, key = tls_certs.leaf("elsewhere", tls_certs.ca, san="DNS:elsewhere.example", usage="serverAuth")
    server = pmd_factory(env={"PMD_TLS_CERT": cert, "PMD_TLS_KEY": key})
    call = run_cli("call", "--tls-ca", tls_certs.ca, "system.ping", env={"PMD_RPC_ADDR": f"127.0.0.1:{server.rpc_port}"})
    assert call.returncode == 1 and "certificate is not for this address" in call.stderr, call.stderr


def config_cases(certs, directory):
    garbage = os.path.join(directory, "garbage.pem")
    with open(garbage, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    missing = os.path.join(directory, "missing.key")
    return [
        ({"PMD_TLS_CERT": certs.server}, "pmd: config: PMD_TLS_KEY: required when PMD_TLS_CERT is set"),
        ({"PMD_TLS_KEY": certs.server_key}, "pmd: config: PMD_TLS_CERT: required when PMD_TLS_KEY is set"),
        ({"PMD_TLS_CERT": certs.server, "PMD_TLS_KEY": missing},
         f'pmd: config: PMD_TLS_KEY: expected a PEM private key file, got "{missing}" (no such file)'),
        ({"PMD_TLS_CERT": certs.server, "PMD_TLS_KEY": directory},
         f'pmd: config: PMD_TLS_KEY: expected a PEM private key file, got "{directory}" (it is a directory)'),
        ({"PMD_TLS_CERT": garbage, "PMD_TLS_KEY": certs.server_key},
         f'pmd: config: PMD_TLS_CERT: expected a PEM file of certificates, got "{garbage}" (no PEM certificate in it)'),
        ({"PMD_TLS_CERT": certs.server, "PMD_TLS_KEY": garbage},
         f'pmd: config: PMD_TLS_KEY: expected a PEM private key file, got "{garbage}" (no PEM private key in it)'),
        ({"PMD_TLS_CERT": certs.server, "PMD_TLS_KEY": certs.client_key},
         "pmd: config: PMD_TLS_KEY: does not match the certificate in PMD_TLS_CERT"),
        ({"PMD_TLS_CLIENT_CA": certs.ca}, "pmd: config: PMD_TLS_CLIENT_CA: needs PMD_TLS_CERT and PMD_TLS_KEY"),
        ({**certs.server_env(), "PMD_TLS_CLIENT_CA": garbage},
         f'pmd: config: PMD_TLS_CLIENT_CA: expected a PEM file of certificates, got "{garbage}" (no PEM certificate in it)'),
    ]


def test_tls_configuration_problems_are_one_line_each_and_exit_2(tls_certs, tmp_path):
    for env, line in config_cases(tls_certs, str(tmp_path)):
        for command in (["check-config"], ["serve", "--data-dir", str(tmp_path / "data")]):
            result = run_cli(*command, env=env)
            assert result.returncode == 2, (env, result.stdout, result.stderr)
            assert result.stderr.splitlines() == [line], env
    assert not os.path.exists(tmp_path / "data"), "nothing starts on a bad configuration"
    good = run_cli("check-config", env={**tls_certs.server_env(client_ca=True), "PMD_TLS_CA": tls_certs.ca})
    assert good.returncode == 0, good.stderr
    assert f"PMD_TLS_CERT={tls_certs.server}" in good.stdout
