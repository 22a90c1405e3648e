"""JSON-RPC 2.0 conformance over the real TCP listener (SPEC §4).

The first half walks through every example of the JSON-RPC 2.0 specification's §7
(https://www.jsonrpc.org/specification#examples), adapted to pmd's methods:
`subtract` → `test.validation` (named params) / -32602 (positional params, since pmd params
must be an object), `update`/`foobar` notifications → `system.ping` / an unknown method,
`get_data` → `system.ping`. The second half checks pmd's own framing rules."""
import json
import socket

import pytest

from pmdclient import Client
from pmdserver import PMD

VALID = {"email": "conformance@example.com", "password": "correct horse", "name": "Conformance"}


@pytest.fixture(scope="module")
def server():
    s = PMD().start()
    yield s
    s.cleanup()


@pytest.fixture
def c(server):
    with server.client(timeout=10) as client:
        yield client


def send(c, obj_or_text):
    """Sends one line exactly as given (a str is sent verbatim, anything else JSON-encoded)."""
    c.send_line(obj_or_text if isinstance(obj_or_text, (str, bytes)) else json.dumps(obj_or_text))


def roundtrip(c, line):
    send(c, line)
    response = c.read_line()
    assert response is not None, "connection closed"
    return response


def assert_error(response, code, id=None):
    assert isinstance(response, dict), response
    assert response.get("jsonrpc") == "2.0", response
    assert "result" not in response, response
    assert response["error"]["code"] == code, response
    assert isinstance(response["error"]["message"], str) and response["error"]["message"], response
    assert "id" in response and response["id"] == id, response
    assert set(response) == {"jsonrpc", "error", "id"}, response


def assert_result(response, id):
    assert response.get("jsonrpc") == "2.0", response
    assert "error" not in response, response
    assert "result" in response and response["id"] == id, response
    assert set(response) == {"jsonrpc", "result", "id"}, response
    return response["result"]


def next_is(c, id):
    """Sends a ping with `id` and asserts that the very next line is its answer: proves that
    nothing was written for whatever was sent before it."""
    send(c, {"jsonrpc": "2.0", "method": "system.ping", "id": id})
    response = c.read_line()
    assert response is not None, "connection closed"
    assert response == {"jsonrpc": "2.0", "result": {"pong": True}, "id": id}, response


# --- JSON-RPC 2.0 §7 examples -------------------------------------------------------------------

def test_example_rpc_call_with_positional_parameters_is_invalid_params(c):
    # --> {"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}
    assert_error(roundtrip(c, '{"jsonrpc": "2.0", "method": "test.validation", "params": [42, 23], "id": 1}'),
                 -32602, id=1)
    assert_error(roundtrip(c, '{"jsonrpc": "2.0", "method": "test.validation", "params": [23, 42], "id": 2}'),
                 -32602, id=2)


def test_example_rpc_call_with_named_parameters(c):
    # --> {"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}
    result = assert_result(roundtrip(c, {"jsonrpc": "2.0", "method": "test.validation", "params": VALID, "id": 3}), 3)
    assert result["success"] is True and result["message"] == "Validation passed"
    # Same params in a different order: same answer.
    reordered = {"name": VALID["name"], "password": VALID["password"], "email": VALID["email"]}
    result2 = assert_result(roundtrip(c, {"jsonrpc": "2.0", "method": "test.validation", "params": reordered, "id": 4}), 4)
    assert result2 == result


def test_example_notifications_get_no_response(c):
    # --> {"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]} (see the xfail test below
    #     for the positional-params variant) and --> {"jsonrpc": "2.0", "method": "foobar"}
    send(c, '{"jsonrpc": "2.0", "method": "system.ping", "params": {}}')
    send(c, '{"jsonrpc": "2.0", "method": "foobar"}')
    send(c, '{"jsonrpc": "2.0", "method": "system.ping"}')
    send(c, {"jsonrpc": "2.0", "method": "test.validation", "params": {"email": "bad"}})
    next_is(c, "after-notifications")


def test_example_notification_with_positional_params_gets_no_response(c):
    # The spec's own example: --> {"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}
    send(c, '{"jsonrpc": "2.0", "method": "system.ping", "params": [1,2,3,4,5]}')
    next_is(c, "after-update")


def test_batch_notification_with_positional_params_is_left_out(c):
    send(c, '[{"jsonrpc":"2.0","method":"system.ping","params":[1]},{"jsonrpc":"2.0","method":"system.ping","id":1}]')
    assert c.read_line() == [{"jsonrpc": "2.0", "result": {"pong": True}, "id": 1}]


def test_example_non_existent_method(c):
    # --> {"jsonrpc": "2.0", "method": "foobar", "id": "1"}
    response = roundtrip(c, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
    assert_error(response, -32601, id="1")
    assert response["error"]["message"] == "Method not found"


def test_example_invalid_json(c):
    # --> {"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]
    response = roundtrip(c, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
    assert_error(response, -32700, id=None)
    assert response["error"]["message"] == "Parse error"
    next_is(c, 1)  # the connection survives a parse error


def test_example_invalid_request_object(c):
    # --> {"jsonrpc": "2.0", "method": 1, "params": "bar"}
    response = roundtrip(c, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
    assert_error(response, -32600, id=None)
    assert response["error"]["message"] == "Invalid Request"
    next_is(c, 2)


def test_example_batch_invalid_json(c):
    # --> [ {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method" ]
    response = roundtrip(c, '[\n  {"jsonrpc": "2.0", "method": "system.ping", "params": {}, "id": "1"},'
                            '  {"jsonrpc": "2.0", "method"\n]'.replace("\n", " "))
    assert isinstance(response, dict), "a parse error is a single response, not an array"
    assert_error(response, -32700, id=None)
    next_is(c, 3)


def test_example_empty_array(c):
    # --> []
    response = roundtrip(c, "[]")
    assert isinstance(response, dict), "[] answers a single error object, not an array"
    assert_error(response, -32600, id=None)
    response = roundtrip(c, "[ ]")
    assert_error(response, -32600, id=None)
    next_is(c, 4)


def test_example_invalid_batch_but_not_empty(c):
    # --> [1]
    response = roundtrip(c, "[1]")
    assert isinstance(response, list) and len(response) == 1, response
    assert_error(response[0], -32600, id=None)


def test_example_invalid_batch(c):
    # --> [1,2,3]
    response = roundtrip(c, "[1,2,3]")
    assert isinstance(response, list) and len(response) == 3, response
    for entry in response:
        assert_error(entry, -32600, id=None)


def test_example_mixed_batch(c):
    # --> [sum(id "1"), notify_hello, subtract(id "2"), {"foo": "boo"}, foo.get(id "5"), get_data(id "9")]
    batch = [
        {"jsonrpc": "2.0", "method": "test.validation", "params": VALID, "id": "1"},
        {"jsonrpc": "2.0", "method": "system.ping", "params": {}},
        {"jsonrpc": "2.0", "method": "test.validation", "params": [42, 23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "system.ping", "id": "9"},
    ]
    response = roundtrip(c, batch)
    assert isinstance(response, list), response
    assert len(response) == 5, f"the notification must be left out: {response}"
    assert assert_result(response[0], "1")["message"] == "Validation passed"
    assert_error(response[1], -32602, id="2")
    assert_error(response[2], -32600, id=None)
    assert_error(response[3], -32601, id="5")
    assert assert_result(response[4], "9") == {"pong": True}


def test_example_batch_of_notifications_gets_no_response(c):
    # --> [notify_sum, notify_hello] <-- nothing at all
    send(c, '[{"jsonrpc": "2.0", "method": "system.ping", "params": {}},'
            ' {"jsonrpc": "2.0", "method": "test.validation", "params": {"email": "a@b.co", "password": "password1"}}]')
    send(c, '[{"jsonrpc": "2.0", "method": "no.such.method"}]')
    next_is(c, "after-batch")


# --- notifications really execute -------------------------------------------------------------

def test_notification_is_executed_even_though_unanswered(c):
    email = "notified-signup@example.com"
    send(c, {"jsonrpc": "2.0", "method": "auth.signup", "params": {"email": email, "password": "password123"}})
    next_is(c, "n1")
    login = roundtrip(c, {"jsonrpc": "2.0", "method": "auth.login",
                          "params": {"email": email, "password": "password123"}, "id": 7})
    assert assert_result(login, 7)["user"]["email"] == email


# --- pmd's rules (SPEC §4) --------------------------------------------------------------------

def test_jsonrpc_member_may_be_omitted(c):
    assert assert_result(roundtrip(c, '{"method":"system.ping","id":1}'), 1) == {"pong": True}


@pytest.mark.parametrize("version", ['"1.0"', '"2"', '2.0', '2', 'null', '"2.0 "', '""'])
def test_jsonrpc_member_when_present_must_be_2_0(c, version):
    response = roundtrip(c, '{"jsonrpc":%s,"method":"system.ping","id":5}' % version)
    assert response.get("jsonrpc") == "2.0", response
    assert response["error"]["code"] == -32600, response
    assert response["id"] in (5, None), response
    assert "result" not in response


@pytest.mark.parametrize("raw_id", [
    '1', '0', '-7', '-0', '42', '9007199254740993', '123456789012345678901234567890',
    '1.50', '1e3', '1E+3', '-1.5E-7', '0.1000', '1e400',
])
def test_numeric_id_is_echoed_byte_for_byte(c, raw_id):
    send(c, '{"jsonrpc":"2.0","method":"system.ping","id":%s}' % raw_id)
    raw = c.read_raw_line()
    assert raw is not None
    parsed = json.loads(raw)
    assert parsed["result"] == {"pong": True}
    # The id member's text is exactly what the client wrote, not a re-rendered number.
    member = b'"id":' + raw_id.encode()
    assert member + b"}" in raw or member + b"," in raw, raw


def test_numeric_id_in_an_error_response_is_echoed_byte_for_byte(c):
    send(c, '{"jsonrpc":"2.0","method":"nope.nope","id":1.50}')
    raw = c.read_raw_line()
    assert json.loads(raw)["error"]["code"] == -32601
    assert b'"id":1.50' in raw, raw


@pytest.mark.parametrize("id", ["1", "", "abc", "héllo ✓ 😀", "ключ", "\u0000nul", "quote\"back\\slash",
                                "line\nbreak", "x" * 1000])
def test_string_id_is_echoed_exactly(c, id):
    response = roundtrip(c, json.dumps({"jsonrpc": "2.0", "method": "system.ping", "id": id}))
    assert response == {"jsonrpc": "2.0", "result": {"pong": True}, "id": id}
    # Also when the client writes the unicode raw rather than as \\u escapes.
    response = roundtrip(c, json.dumps({"jsonrpc": "2.0", "method": "system.ping", "id": id}, ensure_ascii=False))
    assert response == {"jsonrpc": "2.0", "result": {"pong": True}, "id": id}


def test_null_id_is_echoed(c):
    send(c, '{"jsonrpc":"2.0","method":"system.ping","id":null}')
    raw = c.read_raw_line()
    assert json.loads(raw) == {"jsonrpc": "2.0", "result": {"pong": True}, "id": None}
    assert b'"id":null' in raw


@pytest.mark.parametrize("bad_id", ["{}", "[1]", "true", "false", '{"a":1}'])
def test_id_of_a_wrong_type_is_an_invalid_request(c, bad_id):
    response = roundtrip(c, '{"jsonrpc":"2.0","method":"system.ping","id":%s}' % bad_id)
    assert_error(response, -32600, id=None)


def test_responses_always_carry_jsonrpc_2_0(c):
    lines = [
        '{"method":"system.ping","id":1}',
        '{"method":"nope","id":2}',
        '{"method":"system.ping","params":[],"id":3}',
        'not json',
        '{"id":5}',
        '{"method":"test.validation","params":{},"id":6}',
        '[{"method":"system.ping","id":7},{"method":"x","id":8},5]',
    ]
    for line in lines:
        send(c, line)
    for _ in lines:
        response = c.read_line()
        for entry in response if isinstance(response, list) else [response]:
            assert entry["jsonrpc"] == "2.0", entry


@pytest.mark.parametrize("params", ["[]", "[1,2]", '"x"', "1", "true"])
def test_params_that_are_not_an_object_are_invalid_params_with_the_request_id(c, params):
    response = roundtrip(c, '{"jsonrpc":"2.0","method":"system.ping","params":%s,"id":"p"}' % params)
    assert response.get("jsonrpc") == "2.0"
    # JSON-RPC allows arrays: that is -32602 for pmd. Scalars are not even valid params: -32602 or -32600.
    if params.startswith("["):
        assert_error(response, -32602, id="p")
    else:
        assert response["error"]["code"] in (-32602, -32600), response


def test_params_array_on_a_protected_method_is_invalid_params(c):
    assert_error(roundtrip(c, '{"jsonrpc":"2.0","method":"users.me","params":["token"],"id":11}'), -32602, id=11)


def test_omitted_and_empty_params_mean_the_same(c):
    assert assert_result(roundtrip(c, '{"jsonrpc":"2.0","method":"system.ping","id":1}'), 1) == {"pong": True}
    assert assert_result(roundtrip(c, '{"jsonrpc":"2.0","method":"system.ping","params":{},"id":2}'), 2) == {"pong": True}


def test_blank_lines_are_ignored(c):
    c.send_raw(b"\n\n   \n\t\n\r\n" + b'{"jsonrpc":"2.0","method":"system.ping","id":1}\n' + b"\n \n")
    assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": 1}
    next_is(c, 2)  # nothing was written for the blank lines


def test_crlf_line_endings_are_accepted(c):
    c.send_raw(b'{"jsonrpc":"2.0","method":"system.ping","id":1}\r\n'
               b'{"jsonrpc":"2.0","method":"test.validation","params":{"email":"a@b.co","password":"password1"},"id":2}\r\n')
    assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": 1}
    second = c.read_line()
    assert second["id"] == 2 and second["result"]["data"]["email"] == "a@b.co"


def test_surrounding_whitespace_on_a_line_is_allowed(c):
    c.send_raw(b'   {"jsonrpc":"2.0","method":"system.ping","id":1}  \t\n')
    assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": 1}


def test_unknown_top_level_member_is_rejected(c):
    response = roundtrip(c, '{"jsonrpc":"2.0","method":"system.ping","id":6,"extra":1}')
    assert response["jsonrpc"] == "2.0"
    assert response["error"]["code"] == -32600, response
    assert response["id"] in (6, None)
    assert "result" not in response


def test_missing_method_is_an_invalid_request(c):
    response = roundtrip(c, '{"jsonrpc":"2.0","id":3}')
    assert response["error"]["code"] == -32600 and response["id"] in (3, None)


def test_two_values_on_one_line_are_a_parse_error(c):
    assert_error(roundtrip(c, '{"method":"system.ping","id":1} {"method":"system.ping","id":2}'), -32700, id=None)
    next_is(c, 3)


@pytest.mark.parametrize("line", ['"just a string"', "42", "null", "true"])
def test_json_that_is_not_a_request_is_an_invalid_request(c, line):
    assert_error(roundtrip(c, line), -32600, id=None)


def test_pipelining_200_mixed_requests_answered_in_order(c):
    expected = []
    lines = []
    for i in range(200):
        kind = i % 8
        if kind == 0:
            rid = i
            lines.append({"jsonrpc": "2.0", "method": "system.ping", "id": rid})
            expected.append((rid, "result", {"pong": True}))
        elif kind == 1:
            rid = f"s-{i}-✓"
            lines.append({"jsonrpc": "2.0", "method": "no.such", "id": rid})
            expected.append((rid, "error", -32601))
        elif kind == 2:
            rid = i
            lines.append({"method": "test.validation",
                          "params": {"email": f"p{i}@example.com", "password": "password1"}, "id": rid})
            expected.append((rid, "result", "email"))
        elif kind == 3:
            rid = f"{i}"
            lines.append({"jsonrpc": "2.0", "method": "test.validation", "params": {"email": "x"}, "id": rid})
            expected.append((rid, "error", 400))
        elif kind == 4:
            lines.append({"jsonrpc": "2.0", "method": "system.ping"})  # notification: no response
        elif kind == 5:
            rid = i
            lines.append({"jsonrpc": "2.0", "method": "users.me", "params": {"session": "nope"}, "id": rid})
            expected.append((rid, "error", 401))
        elif kind == 6:
            rid = i
            lines.append({"jsonrpc": "2.0", "method": "system.ping", "params": [1], "id": rid})
            expected.append((rid, "error", -32602))
        else:
            rid = i + 0.5
            lines.append({"jsonrpc": "2.0", "method": "system.health", "id": rid})
            expected.append((rid, "result", "status"))
    c.send_raw(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    for rid, what, detail in expected:
        response = c.read_line()
        assert response is not None, "connection closed"
        assert response["id"] == rid, f"out of order: expected id {rid!r}, got {response}"
        assert response["jsonrpc"] == "2.0"
        if what == "result":
            assert "result" in response, response
            if isinstance(detail, dict):
                assert response["result"] == detail
            else:
                assert detail in response["result"] or detail in response["result"].get("data", {}), response
        else:
            assert response["error"]["code"] == detail, response
    next_is(c, "end")


def test_last_line_without_newline_is_answered_after_half_close(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port), timeout=10) as s:
        s.sendall(b'{"jsonrpc":"2.0","method":"system.ping","id":1}\n'
                  b'{"jsonrpc":"2.0","method":"system.ping","id":"last"}')
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    lines = data.split(b"\n")
    assert lines[-1] == b"", f"every response ends in a newline: {data!r}"
    assert [json.loads(line) for line in lines[:-1]] == [
        {"jsonrpc": "2.0", "result": {"pong": True}, "id": 1},
        {"jsonrpc": "2.0", "result": {"pong": True}, "id": "last"},
    ]


def test_half_close_with_many_pending_requests_answers_all_then_closes(server):
    with socket.create_connection(("127.0.0.1", server.rpc_port), timeout=10) as s:
        s.sendall(b"".join(b'{"method":"system.ping","id":%d}\n' % i for i in range(50)))
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    ids = [json.loads(line)["id"] for line in data.splitlines()]
    assert ids == list(range(50))


def test_request_sent_one_byte_at_a_time(c):
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    line = json.dumps({"jsonrpc": "2.0", "method": "system.ping", "id": "é✓😀"}, ensure_ascii=False).encode()
    for i in range(len(line)):
        c.send_raw(line[i:i + 1])
    c.send_raw(b"\r")
    c.send_raw(b"\n")
    assert c.read_line() == {"jsonrpc": "2.0", "result": {"pong": True}, "id": "é✓😀"}


def test_large_batch_is_answered_in_order(c):
    batch = []
    for i in range(500):
        if i % 5 == 4:
            batch.append({"jsonrpc": "2.0", "method": "system.ping"})
        elif i % 5 == 3:
            batch.append({"jsonrpc": "2.0", "method": "nope", "id": i})
        else:
            batch.append({"jsonrpc": "2.0", "method": "system.ping", "id": i})
    response = roundtrip(c, batch)
    expected_ids = [i for i in range(500) if i % 5 != 4]
    assert [r["id"] for r in response] == expected_ids
    for r in response:
        if r["id"] % 5 == 3:
            assert r["error"]["code"] == -32601
        else:
            assert r["result"] == {"pong": True}


def test_batch_with_duplicate_ids_answers_each(c):
    response = roundtrip(c, [{"method": "system.ping", "id": 1}, {"method": "nope", "id": 1}])
    assert [r["id"] for r in response] == [1, 1]
    assert response[0]["result"] == {"pong": True} and response[1]["error"]["code"] == -32601


def test_nested_batch_is_an_invalid_request(c):
    response = roundtrip(c, '[[{"jsonrpc":"2.0","method":"system.ping","id":1}]]')
    assert isinstance(response, list) and len(response) == 1, response
    assert_error(response[0], -32600, id=None)


def test_batches_keep_their_place_in_the_pipeline(c):
    c.send_raw(b'{"method":"system.ping","id":1}\n'
               b'[{"method":"system.ping","id":2},{"method":"system.ping","id":3}]\n'
               b'{"method":"system.ping"}\n'
               b'[{"method":"system.ping"}]\n'
               b'{"method":"system.ping","id":4}\n'
               b'[{"method":"system.ping","id":5}]\n')
    assert c.read_line()["id"] == 1
    assert [r["id"] for r in c.read_line()] == [2, 3]
    assert c.read_line()["id"] == 4
    assert [r["id"] for r in c.read_line()] == [5]


def test_responses_are_single_lines_of_compact_json(c):
    send(c, {"jsonrpc": "2.0", "method": "rpc.methods", "id": 1})
    raw = c.read_raw_line()
    assert b"\n" not in raw and not raw.endswith(b"\r")
    json.loads(raw)


def test_two_connections_are_independent(server):
    with server.client(timeout=10) as a, server.client(timeout=10) as b:
        a.send_line('{"method":"system.ping","id":"a1"}')
        b.send_line('{"method":"system.ping","id":"b1"}')
        assert b.read_line()["id"] == "b1"
        assert a.read_line()["id"] == "a1"
