"""Malformed HTTP framing on pmd's HTTP listener (SPEC §7) is a client error: a body whose
chunked transfer encoding is broken gets 400, not 413 (which would tell the client to send
less); a body that is really too large still gets 413. Spoken over a raw socket, since HTTP
client libraries refuse to send broken chunks."""
import socket
import time


def exchange(server, *pieces, pause=0.0):
    """Sends `pieces` (bytes) to the HTTP listener, `pause` seconds apart, and returns the status
    code of the response."""
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=30) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(pause)
        response = b""
        while b"\r\n" not in response:
            data = sock.recv(4096)
            if not data:
                break
            response += data
    status_line = response.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 "), response
    return int(status_line.split()[1])


HEAD = (b"POST /api/webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Stripe-Signature: t=1,v1=00\r\nTransfer-Encoding: chunked\r\n\r\n")


def test_a_bad_chunk_size_is_a_bad_request(pmd):
    assert exchange(pmd, HEAD + b"zz\r\n{}\r\n0\r\n\r\n") == 400


def test_a_bad_chunk_arriving_after_the_head_is_a_bad_request(pmd):
    assert exchange(pmd, HEAD, b"2\r\n{}\r\n", b"nope\r\n\r\n", pause=0.2) == 400


def test_a_chunk_without_its_line_end_is_a_bad_request(pmd):
    assert exchange(pmd, HEAD + b"2\r\n{}XX3\r\nabc\r\n0\r\n\r\n") == 400


def test_a_well_formed_chunked_body_reaches_the_webhook_handler(pmd):
    # Billing is not configured here: 503 is the handler's answer, given after reading the body.
    assert exchange(pmd, HEAD + b"2\r\n{}\r\n0\r\n\r\n") == 503


def test_a_chunked_body_over_the_limit_is_still_too_large(pmd):
    chunk = b"x" * 65536
    pieces = [HEAD] + [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 17 + [b"0\r\n\r\n"]
    assert exchange(pmd, b"".join(pieces)) == 413
