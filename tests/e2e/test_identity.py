"""Identity end to end (SPEC §6.2, §4): auth.signup, auth.login, auth.logout, users.me,
users.update and test.validation over the real TCP listener."""
import datetime
import json
import re
import time

import pytest

from conftest import unique_email
from pmdclient import RPCError
from pmdserver import PMD

PASSWORD = "correct horse battery"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, base64url without padding

# SPEC §4: application error codes and their kinds.
KINDS = {400: {"validation_failed", "bad_request"}, 401: {"unauthorized"}, 403: {"forbidden"},
         404: {"not_found"}, 409: {"conflict"}, 429: {"rate_limited"}, 503: {"unavailable"}, 500: {"internal"}}

ME_KEYS = {"id", "email", "name", "givenName", "familyName", "picture", "createdAt", "updatedAt",
           "tenantId", "preferences"}
DEFAULT_PREFERENCES = {"theme": "system", "language": "en", "timezone": "UTC", "emailNotifications": True,
                       "pushNotifications": False, "weeklyReports": False, "marketingEmails": False}


@pytest.fixture(scope="module")
def server():
    s = PMD().start()
    yield s
    s.cleanup()


@pytest.fixture
def c(server):
    with server.client(timeout=15) as client:
        yield client


def parse_time(text):
    assert isinstance(text, str) and TIMESTAMP.match(text), f"not an RFC 3339 UTC millisecond time: {text!r}"
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def expect_error(c, method, params, code, kind=None, message=None, paths=None):
    """Calls and checks the error: code, data.kind consistent with the §4 table, and optionally
    kind, message and the exact set of failing paths."""
    try:
        result = c.call(method, params)
    except RPCError as error:
        assert error.code == code, f"{method}: expected {code}, got {error.error}"
        assert isinstance(error.message, str) and error.message, error.error
        assert error.kind in KINDS[code], f"{method}: kind {error.kind!r} does not go with code {code}: {error.error}"
        if kind is not None:
            assert error.kind == kind, error.error
        if message is not None:
            assert error.message == message, error.error
        if error.kind == "validation_failed":
            errors = error.data["errors"]
            assert isinstance(errors, list) and errors, error.error
            for e in errors:
                assert set(e) == {"path", "message"}, e
                assert isinstance(e["path"], list) and all(isinstance(p, (str, int)) for p in e["path"]), e
                assert isinstance(e["message"], str) and e["message"], e
            if paths is not None:
                assert sorted(map(tuple, (e["path"] for e in errors))) == sorted(map(tuple, paths)), error.error
        return error
    raise AssertionError(f"{method} {params} should fail with {code}, got {result}")


def signup(c, email=None, password=PASSWORD, name="Test User"):
    email = email or unique_email("id")
    params = {"email": email, "password": password}
    if name is not None:
        params["name"] = name
    return email, c.call("auth.signup", params)


def login(c, email, password=PASSWORD):
    return c.call("auth.login", {"email": email, "password": password})


def account(c, name="Test User"):
    """(email, user id, token) of a fresh signed-in account."""
    email, result = signup(c, name=name)
    return email, result["user"]["id"], login(c, email)["session"]["token"]


def assert_me_shape(me):
    assert set(me) == ME_KEYS, sorted(me)
    assert UUID.match(me["id"]), me["id"]
    assert isinstance(me["email"], str)
    for key in ("name", "givenName", "familyName", "picture", "tenantId"):
        assert me[key] is None or isinstance(me[key], str), (key, me[key])
    created, updated = parse_time(me["createdAt"]), parse_time(me["updatedAt"])
    assert created <= updated
    assert set(me["preferences"]) == set(DEFAULT_PREFERENCES), me["preferences"]
    for key in ("emailNotifications", "pushNotifications", "weeklyReports", "marketingEmails"):
        assert isinstance(me["preferences"][key], bool), (key, me["preferences"])
    for key in ("theme", "language", "timezone"):
        assert isinstance(me["preferences"][key], str), (key, me["preferences"])


# --- auth.signup -------------------------------------------------------------------------------

def test_signup_result_shape(c):
    email = unique_email("shape")
    result = c.call("auth.signup", {"email": email, "password": PASSWORD, "name": "Ada Lovelace"})
    assert set(result) == {"success", "user"}
    assert result["success"] is True
    assert set(result["user"]) == {"id", "email", "name"}
    assert UUID.match(result["user"]["id"]), result
    assert result["user"]["email"] == email
    assert result["user"]["name"] == "Ada Lovelace"


def test_signup_ids_are_distinct(c):
    ids = {signup(c)[1]["user"]["id"] for _ in range(5)}
    assert len(ids) == 5


def test_signup_without_name_gives_null_name(c):
    _, result = signup(c, name=None)
    assert result["user"]["name"] is None


def test_signup_trims_name(c):
    _, result = signup(c, name="  Grace Hopper \t")
    assert result["user"]["name"] == "Grace Hopper"


def test_signup_email_is_trimmed_and_lowercased(c):
    local = unique_email("MiXeD").split("@")[0]
    _, result = signup(c, email=f"  {local}@Example.COM  ")
    assert result["user"]["email"] == f"{local.lower()}@example.com"
    me = c.call("users.me", {"session": login(c, f"{local.lower()}@example.com")["session"]["token"]})
    assert me["email"] == f"{local.lower()}@example.com"


def test_duplicate_email_is_409(c):
    email, _ = signup(c)
    expect_error(c, "auth.signup", {"email": email, "password": PASSWORD}, 409, "conflict", "Email already registered")


def test_duplicate_email_differently_cased_or_padded_is_409(c):
    email, _ = signup(c)
    for variant in (email.upper(), email.capitalize(), f"  {email} ", email.replace("@example.com", "@EXAMPLE.com")):
        expect_error(c, "auth.signup", {"email": variant, "password": "another password"}, 409, "conflict",
                     "Email already registered")
    # The first account is untouched: its password still works, the other one does not.
    assert login(c, email)["user"]["email"] == email
    expect_error(c, "auth.login", {"email": email, "password": "another password"}, 401, "unauthorized")


@pytest.mark.parametrize("email", [
    "plainaddress", "@example.com", "user@", "user@@example.com", "us er@example.com", "user@exa mple.com",
    "", "   ", "user.example.com", "user@.com", "<user@example.com>", "user@example.com,other@example.com",
])
def test_signup_rejects_bad_email_syntax(c, email):
    expect_error(c, "auth.signup", {"email": email, "password": PASSWORD}, 400, "validation_failed",
                 paths=[["email"]])


def long_email(length):
    # 64-char local part, labels of at most 63 chars: only the total length is at stake.
    domain_tail = length - 64 - 1 - 63 - 1 - 63 - 1 - 4
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * domain_tail + ".com"
    assert len(email) == length
    return email


def test_email_of_254_characters_is_accepted_and_255_rejected(c):
    ok = long_email(254)
    assert c.call("auth.signup", {"email": ok, "password": PASSWORD})["user"]["email"] == ok
    expect_error(c, "auth.signup", {"email": long_email(255).replace("a" * 64, "e" * 64), "password": PASSWORD},
                 400, "validation_failed", paths=[["email"]])


@pytest.mark.parametrize("password,ok", [
    ("x" * 7, False), ("x" * 8, True), ("x" * 256, True), ("x" * 257, False), ("", False),
    ("é" * 8, True), ("é" * 200, True), ("é" * 257, False), ("       7", True),
])
def test_password_length_8_to_256_characters(c, password, ok):
    email = unique_email("pw")
    if ok:
        c.call("auth.signup", {"email": email, "password": password})
        assert login(c, email, password)["user"]["email"] == email
    else:
        expect_error(c, "auth.signup", {"email": email, "password": password}, 400, "validation_failed",
                     paths=[["password"]])
        expect_error(c, "auth.login", {"email": email, "password": PASSWORD}, 401, "unauthorized")


@pytest.mark.parametrize("name,ok", [
    ("", False), ("   ", False), ("x", True), ("x" * 255, True), ("x" * 256, False), ("é" * 255, True),
    ("  " + "x" * 255 + "  ", True),
])
def test_signup_name_1_to_255_after_trimming(c, name, ok):
    email = unique_email("name")
    if ok:
        assert c.call("auth.signup", {"email": email, "password": PASSWORD, "name": name})["user"]["name"] == name.strip()
    else:
        expect_error(c, "auth.signup", {"email": email, "password": PASSWORD, "name": name}, 400,
                     "validation_failed", paths=[["name"]])


def test_signup_reports_every_failing_field_at_once(c):
    expect_error(c, "auth.signup", {"email": "nope", "password": "short", "name": "  "}, 400, "validation_failed",
                 paths=[["email"], ["password"], ["name"]])


def test_concurrent_signups_of_one_email_create_exactly_one_account(server):
    email = unique_email("race")
    variants = [email, email.upper(), f" {email}", email.capitalize()] * 3
    outcomes = [None] * len(variants)
    clients = [server.client(timeout=15) for _ in variants]
    try:
        for i, (cl, variant) in enumerate(zip(clients, variants)):
            cl.send_line({"jsonrpc": "2.0", "method": "auth.signup", "id": i,
                          "params": {"email": variant, "password": f"password-{i}"}})
        for i, cl in enumerate(clients):
            outcomes[i] = cl.read_line()
    finally:
        for cl in clients:
            cl.close()
    winners = [i for i, o in enumerate(outcomes) if "result" in o]
    assert len(winners) == 1, outcomes
    for i, o in enumerate(outcomes):
        if i not in winners:
            assert o["error"]["code"] == 409 and o["error"]["data"]["kind"] == "conflict", o
    with server.client() as c:
        assert login(c, email, f"password-{winners[0]}")["user"]["email"] == email


def test_failed_signup_creates_nothing(c):
    email = unique_email("failed")
    expect_error(c, "auth.signup", {"email": email, "password": "short"}, 400)
    # The email is still free.
    signup(c, email=email)


# --- auth.login --------------------------------------------------------------------------------

def test_login_result_shape(c):
    email, created = signup(c, name="Login Shape")
    before = now()
    result = login(c, email)
    assert set(result) == {"success", "user", "session", "tenantId"}
    assert result["success"] is True
    assert result["user"] == created["user"]
    assert set(result["session"]) == {"token", "expiresAt"}
    assert TOKEN.match(result["session"]["token"]), result["session"]["token"]
    expires = parse_time(result["session"]["expiresAt"])
    # Default PMD_SESSION_TTL is 30 days.
    expected = before + datetime.timedelta(days=30)
    assert abs((expires - expected).total_seconds()) < 120, (expires, expected)
    assert result["tenantId"] is None


def test_login_email_is_case_insensitive_and_trimmed(c):
    email, created = signup(c)
    for variant in (email.upper(), f"  {email}  ", email.swapcase()):
        result = login(c, variant)
        assert result["user"]["id"] == created["user"]["id"]
        assert result["user"]["email"] == email


def test_each_login_is_a_distinct_working_session(c):
    email, _ = signup(c)
    tokens = [login(c, email)["session"]["token"] for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert c.call("users.me", {"session": token})["email"] == email


def test_wrong_password_and_unknown_email_answer_the_same(c):
    email, _ = signup(c)
    wrong = expect_error(c, "auth.login", {"email": email, "password": "wrong password"}, 401, "unauthorized",
                         "Invalid email or password")
    unknown = expect_error(c, "auth.login", {"email": unique_email("ghost"), "password": PASSWORD}, 401,
                           "unauthorized", "Invalid email or password")
    assert wrong.error == unknown.error


def test_password_is_case_sensitive_and_not_trimmed(c):
    email, _ = signup(c, password="Secret Password 1")
    expect_error(c, "auth.login", {"email": email, "password": "secret password 1"}, 401, "unauthorized")
    expect_error(c, "auth.login", {"email": email, "password": " Secret Password 1 "}, 401, "unauthorized")
    assert login(c, email, "Secret Password 1")["success"] is True


def test_login_is_throttled_after_five_failures(c):
    email, _ = signup(c)
    for _ in range(5):
        expect_error(c, "auth.login", {"email": email, "password": "wrong password"}, 401, "unauthorized")
    error = expect_error(c, "auth.login", {"email": email, "password": "wrong password"}, 429, "rate_limited")
    retry = error.data.get("retryAfter")
    assert isinstance(retry, (int, float)) and not isinstance(retry, bool) and 0 < retry <= 15 * 60, error.error
    # Until the window passes even the right password is refused, under any casing of the email.
    expect_error(c, "auth.login", {"email": email.upper(), "password": PASSWORD}, 429, "rate_limited")


def test_login_params_are_validated(c):
    expect_error(c, "auth.login", {}, 400, "validation_failed", paths=[["email"], ["password"]])
    expect_error(c, "auth.login", {"email": 5, "password": False}, 400, "validation_failed",
                 paths=[["email"], ["password"]])


# --- auth.logout and sessions ------------------------------------------------------------------

def test_logout_ends_exactly_that_session(c):
    email, _, token = account(c)
    other = login(c, email)["session"]["token"]
    assert c.call("auth.logout", {"session": token}) == {"success": True, "message": "Logged out successfully"}
    expect_error(c, "users.me", {"session": token}, 401, "unauthorized")
    expect_error(c, "users.update", {"session": token, "name": "After Logout"}, 401, "unauthorized")
    expect_error(c, "auth.logout", {"session": token}, 401, "unauthorized")
    # The user's other session still works, and the failed update changed nothing.
    me = c.call("users.me", {"session": other})
    assert me["name"] == "Test User"


def test_logged_out_token_stays_invalid_after_restart(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        email, _, token = account(c)
        c.call("auth.logout", {"session": token})
    server.restart()
    with server.client() as c:
        expect_error(c, "users.me", {"session": token}, 401, "unauthorized")


@pytest.mark.parametrize("method", ["users.me", "users.update", "auth.logout"])
def test_missing_or_unknown_session_is_401(c, method):
    extra = {"name": "X"} if method == "users.update" else {}
    expect_error(c, method, dict(extra), 401, "unauthorized")
    for bogus in ("", "nope", "A" * 43, "x" * 1000, "CRxq6zkx0YMVwn6Adjc8id1g66H-jZ7ndpY7SWhEmeE"):
        expect_error(c, method, {"session": bogus, **extra}, 401, "unauthorized")


def test_a_tampered_token_is_401(c):
    _, _, token = account(c)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    expect_error(c, "users.me", {"session": tampered}, 401, "unauthorized")
    expect_error(c, "users.me", {"session": token + "A"}, 401, "unauthorized")
    expect_error(c, "users.me", {"session": " " + token}, 401, "unauthorized")


def test_session_expires_after_its_ttl(pmd_factory):
    server = pmd_factory(env={"PMD_SESSION_TTL": "1s"})
    with server.client() as c:
        email, _ = signup(c)
        before = now()
        result = login(c, email)
        expires = parse_time(result["session"]["expiresAt"])
        assert 0 < (expires - before).total_seconds() < 30, (before, expires)
        token = result["session"]["token"]
        assert c.call("users.me", {"session": token})["email"] == email
        time.sleep(max(0.0, (expires - now()).total_seconds()) + 1.0)
        expect_error(c, "users.me", {"session": token}, 401, "unauthorized")
        expect_error(c, "users.update", {"session": token, "name": "Late"}, 401, "unauthorized")


def test_sessions_survive_a_restart(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        email, user_id, token = account(c)
    server.restart()
    with server.client() as c:
        me = c.call("users.me", {"session": token})
        assert me["id"] == user_id and me["email"] == email


# --- users.me ----------------------------------------------------------------------------------

def test_me_shape_and_defaults_for_a_new_user(c):
    before = now()
    email, result = signup(c, name="Fresh User")
    token = login(c, email)["session"]["token"]
    me = c.call("users.me", {"session": token})
    assert_me_shape(me)
    assert me["id"] == result["user"]["id"]
    assert me["email"] == email
    assert me["name"] == "Fresh User"
    assert me["givenName"] is None and me["familyName"] is None and me["picture"] is None
    assert me["tenantId"] is None
    assert me["preferences"] == DEFAULT_PREFERENCES
    created = parse_time(me["createdAt"])
    assert before - datetime.timedelta(seconds=5) <= created <= now() + datetime.timedelta(seconds=5)


def test_me_does_not_accept_other_params(c):
    _, _, token = account(c)
    expect_error(c, "users.me", {"session": token, "userId": "x"}, 400, "validation_failed", paths=[["userId"]])


def test_me_never_returns_secrets(c):
    _, _, token = account(c)
    text = str(c.call("users.me", {"session": token})).lower()
    assert "password" not in text and "hash" not in text and "scrypt" not in text and token.lower() not in text


# --- users.update ------------------------------------------------------------------------------

FULL_UPDATE = {"name": "  Marie Curie ", "givenName": " Marie ", "familyName": " Curie ",
               "picture": "https://example.com/p/marie.png", "theme": "dark", "language": "fr",
               "timezone": "Europe/Paris", "emailNotifications": False, "pushNotifications": True,
               "weeklyReports": True, "marketingEmails": True}


def test_update_every_field_returns_the_me_shape(c):
    email, user_id, token = account(c)
    before = c.call("users.me", {"session": token})
    time.sleep(0.01)
    updated = c.call("users.update", {"session": token, **FULL_UPDATE})
    assert_me_shape(updated)
    assert updated["id"] == user_id and updated["email"] == email
    assert updated["name"] == "Marie Curie"
    assert updated["givenName"] == "Marie" and updated["familyName"] == "Curie"
    assert updated["picture"] == "https://example.com/p/marie.png"
    assert updated["preferences"] == {"theme": "dark", "language": "fr", "timezone": "Europe/Paris",
                                      "emailNotifications": False, "pushNotifications": True,
                                      "weeklyReports": True, "marketingEmails": True}
    assert updated["createdAt"] == before["createdAt"]
    assert parse_time(updated["updatedAt"]) > parse_time(before["updatedAt"])
    assert c.call("users.me", {"session": token}) == updated


def test_partial_update_keeps_other_fields(c):
    _, _, token = account(c)
    c.call("users.update", {"session": token, **FULL_UPDATE})
    updated = c.call("users.update", {"session": token, "theme": "light"})
    assert updated["preferences"]["theme"] == "light"
    assert updated["preferences"]["timezone"] == "Europe/Paris"
    assert updated["preferences"]["marketingEmails"] is True
    assert updated["name"] == "Marie Curie" and updated["givenName"] == "Marie"
    updated = c.call("users.update", {"session": token, "weeklyReports": False})
    assert updated["preferences"]["weeklyReports"] is False and updated["preferences"]["theme"] == "light"


def test_update_is_visible_from_another_session_of_the_user(c, server):
    email, _, token = account(c)
    other = login(c, email)["session"]["token"]
    c.call("users.update", {"session": token, "language": "de"})
    with server.client() as c2:
        assert c2.call("users.me", {"session": other})["preferences"]["language"] == "de"


@pytest.mark.parametrize("value", [None, ""])
def test_picture_null_or_empty_removes_it(c, value):
    _, _, token = account(c)
    assert c.call("users.update", {"session": token, "picture": "http://example.com/a.jpg"})["picture"] == \
        "http://example.com/a.jpg"
    assert c.call("users.update", {"session": token, "picture": value})["picture"] is None
    assert c.call("users.me", {"session": token})["picture"] is None


def test_update_with_no_field_is_rejected(c):
    _, _, token = account(c)
    error = expect_error(c, "users.update", {"session": token}, 400, "validation_failed")
    assert any("At least one field" in e["message"] for e in error.data["errors"]), error.error


@pytest.mark.parametrize("field", ["email", "id"])
def test_email_and_id_are_not_updatable(c, field):
    email, user_id, token = account(c)
    value = unique_email("new") if field == "email" else "00000000-0000-4000-8000-000000000000"
    # Alone, it is also an update with no updatable field: both problems are reported.
    expect_error(c, "users.update", {"session": token, field: value}, 400, "validation_failed", paths=[[field], []])
    # Not even alongside a valid field: the whole update is refused.
    expect_error(c, "users.update", {"session": token, field: value, "name": "Sneaky"}, 400, "validation_failed",
                 paths=[[field]])
    me = c.call("users.me", {"session": token})
    assert me["email"] == email and me["id"] == user_id and me["name"] == "Test User"


INVALID_FIELDS = [
    ("name", ""), ("name", "   "), ("name", "x" * 256), ("name", 5), ("name", None),
    ("givenName", ""), ("givenName", " "), ("givenName", "x" * 101), ("givenName", ["Marie"]),
    ("familyName", ""), ("familyName", "y" * 101), ("familyName", 1.5),
    ("picture", "notaurl"), ("picture", "ftp://example.com/a.png"), ("picture", "javascript:alert(1)"),
    ("picture", "https://"), ("picture", "//example.com/a.png"), ("picture", "example.com/a.png"), ("picture", 7),
    ("theme", "blue"), ("theme", "Dark"), ("theme", ""), ("theme", None), ("theme", 1),
    ("language", "EN"), ("language", "eng"), ("language", "e"), ("language", ""), ("language", "e1"),
    ("language", "en-US"), ("language", None),
    ("timezone", "Mars/Phobos"), ("timezone", "GMT+5"), ("timezone", "UTC+1"), ("timezone", ""),
    ("timezone", "europe/paris"), ("timezone", "Europe/Paris "), ("timezone", "../../etc/passwd"),
    ("timezone", "/etc/localtime"), ("timezone", "Europe"), ("timezone", "PST"), ("timezone", None),
    ("emailNotifications", "yes"), ("emailNotifications", 1), ("pushNotifications", "true"),
    ("pushNotifications", 0), ("weeklyReports", None), ("marketingEmails", "false"),
]


@pytest.mark.parametrize("field,value", INVALID_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in INVALID_FIELDS])
def test_update_rejects_invalid_value(c, field, value):
    _, _, token = account(c)
    before = c.call("users.me", {"session": token})
    expect_error(c, "users.update", {"session": token, field: value}, 400, "validation_failed", paths=[[field]])
    assert c.call("users.me", {"session": token}) == before


VALID_FIELDS = [
    ("name", "x" * 255), ("name", "é" * 255), ("givenName", "x" * 100), ("givenName", "ü" * 100),
    ("familyName", "z"), ("picture", "http://example.com"), ("picture", "https://cdn.example.com/a/b.png?x=1"),
    ("theme", "light"), ("theme", "dark"), ("theme", "system"), ("language", "de"), ("language", "ja"),
    ("timezone", "Europe/Paris"), ("timezone", "UTC"), ("timezone", "America/Argentina/Buenos_Aires"),
    ("timezone", "Asia/Kolkata"), ("timezone", "Etc/GMT+5"), ("timezone", "Pacific/Auckland"),
    ("emailNotifications", False), ("pushNotifications", True), ("weeklyReports", True), ("marketingEmails", True),
]


@pytest.mark.parametrize("field,value", VALID_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in VALID_FIELDS])
def test_update_accepts_valid_value(c, field, value):
    _, _, token = account(c)
    updated = c.call("users.update", {"session": token, field: value})
    where = updated["preferences"] if field in DEFAULT_PREFERENCES else updated
    assert where[field] == (value.strip() if isinstance(value, str) and field != "timezone" else value)


def test_update_reports_every_failing_field_at_once(c):
    _, _, token = account(c)
    before = c.call("users.me", {"session": token})
    expect_error(c, "users.update", {
        "session": token, "name": "   ", "givenName": "", "familyName": "f" * 101, "picture": "notaurl",
        "theme": "blue", "language": "EN", "timezone": "Mars/Phobos", "weeklyReports": "yes",
        "marketingEmails": 1, "nickname": "typo",
    }, 400, "validation_failed", paths=[["name"], ["givenName"], ["familyName"], ["picture"], ["theme"],
                                        ["language"], ["timezone"], ["weeklyReports"], ["marketingEmails"],
                                        ["nickname"]])
    assert c.call("users.me", {"session": token}) == before


def test_one_bad_field_refuses_the_whole_update(c):
    _, _, token = account(c)
    expect_error(c, "users.update", {"session": token, "name": "Applied?", "theme": "dark", "timezone": "GMT+5"},
                 400, "validation_failed", paths=[["timezone"]])
    me = c.call("users.me", {"session": token})
    assert me["name"] == "Test User" and me["preferences"] == DEFAULT_PREFERENCES


def test_preferences_persist_across_a_restart(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        email, user_id, token = account(c)
        updated = c.call("users.update", {"session": token, **FULL_UPDATE})
        _, _, untouched_token = account(c)
        untouched = c.call("users.me", {"session": untouched_token})
    server.restart()
    with server.client() as c:
        assert c.call("users.me", {"session": token}) == updated
        assert c.call("users.me", {"session": untouched_token}) == untouched
        assert c.call("users.me", {"session": untouched_token})["preferences"] == DEFAULT_PREFERENCES
        # Login works after the restart, with the stored (lowercased) email.
        assert login(c, email.upper())["user"]["id"] == user_id
        expect_error(c, "auth.signup", {"email": email, "password": PASSWORD}, 409, "conflict")


def test_preferences_persist_after_kill_9(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        _, _, token = account(c)
        updated = c.call("users.update", {"session": token, "theme": "dark", "timezone": "Asia/Tokyo"})
    server.kill()
    server.start()
    with server.client() as c:
        assert c.call("users.me", {"session": token}) == updated


# --- test.validation ---------------------------------------------------------------------------

def test_validation_success_shape(c):
    result = c.call("test.validation", {"email": "  Valid.Person@Example.COM ", "password": "super secret pw",
                                        "name": "  Valid Person "})
    assert result == {"success": True, "message": "Validation passed",
                      "data": {"email": "valid.person@example.com", "password": "***", "name": "Valid Person"}}


def test_validation_without_name(c):
    result = c.call("test.validation", {"email": "noname@example.com", "password": "super secret pw"})
    assert result["success"] is True
    assert result["data"]["password"] == "***"
    assert result["data"].get("name") is None


def test_validation_creates_no_user(pmd_factory):
    server = pmd_factory()
    with server.client() as c:
        users_before = c.call("system.stats")["users"]
        email = unique_email("validate-only")
        c.call("test.validation", {"email": email, "password": PASSWORD, "name": "Nobody"})
        assert c.call("system.stats")["users"] == users_before
        expect_error(c, "auth.login", {"email": email, "password": PASSWORD}, 401, "unauthorized",
                     "Invalid email or password")
        # The email is still free.
        assert c.call("auth.signup", {"email": email, "password": PASSWORD})["user"]["email"] == email
        assert c.call("system.stats")["users"] == users_before + 1


@pytest.mark.parametrize("params,paths", [
    ({"email": "bad", "password": PASSWORD}, [["email"]]),
    ({"email": "ok@example.com", "password": "x" * 7}, [["password"]]),
    ({"email": "ok@example.com", "password": "x" * 257}, [["password"]]),
    ({"email": "ok@example.com", "password": PASSWORD, "name": ""}, [["name"]]),
    ({"email": "ok@example.com", "password": PASSWORD, "name": "n" * 256}, [["name"]]),
    ({"email": "bad", "password": "short", "name": " "}, [["email"], ["password"], ["name"]]),
    ({}, [["email"], ["password"]]),
    ({"email": "ok@example.com", "password": PASSWORD, "extra": 1}, [["extra"]]),
])
def test_validation_errors_match_signup(c, params, paths):
    validation = expect_error(c, "test.validation", params, 400, "validation_failed", paths=paths)
    signup_error = expect_error(c, "auth.signup", params, 400, "validation_failed", paths=paths)
    assert validation.error == signup_error.error


def test_pipelined_profile_calls_keep_order_across_fast_and_slow_paths(c):
    """users.me and users.update run in place on the connection's loop; auth.login (scrypt) and
    batches run as tasks. Pipelined together they must still execute and answer in order, each
    seeing exactly the writes sent before it."""
    email = unique_email("order")
    c.call("auth.signup", {"email": email, "password": PASSWORD, "name": "Start"})
    token = c.call("auth.login", {"email": email, "password": PASSWORD})["session"]["token"]

    def line(rid, method, params):
        return json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}).encode() + b"\n"

    me = {"session": token}
    c.send_raw(
        line(1, "users.update", {"session": token, "name": "First"})
        + line(2, "auth.login", {"email": email, "password": PASSWORD})
        + line(3, "users.me", me)
        + json.dumps([
            {"jsonrpc": "2.0", "id": 4, "method": "users.update", "params": {"session": token, "name": "Second"}},
            {"jsonrpc": "2.0", "id": 5, "method": "users.me", "params": me},
        ]).encode() + b"\n"
        + line(6, "users.me", me)
        + line(7, "users.update", {"session": token, "name": "Third", "theme": "dark"})
        + line(8, "users.me", {"session": "not-a-session"})
        + line(9, "users.me", me))
    replies = [c.read_line() for _ in range(8)]
    assert replies[0]["id"] == 1 and replies[0]["result"]["name"] == "First"
    assert replies[1]["id"] == 2 and TOKEN.match(replies[1]["result"]["session"]["token"])
    assert replies[2]["id"] == 3 and replies[2]["result"]["name"] == "First"
    assert [r["id"] for r in replies[3]] == [4, 5]
    assert [r["result"]["name"] for r in replies[3]] == ["Second", "Second"]
    assert replies[4]["id"] == 6 and replies[4]["result"]["name"] == "Second"
    assert replies[5]["id"] == 7 and replies[5]["result"]["preferences"]["theme"] == "dark"
    assert replies[6]["id"] == 8 and replies[6]["error"]["code"] == 401
    assert replies[7]["id"] == 9 and replies[7]["result"]["name"] == "Third"
    assert replies[7]["result"]["preferences"]["theme"] == "dark"
