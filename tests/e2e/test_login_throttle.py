"""Login throttling (SPEC §6.2): five failures for one email within 15 minutes, then 429."""
from conftest import login, signup, unique_email


def test_sixth_attempt_is_throttled_even_with_the_right_password(client):
    email, password = signup(client)
    for _ in range(5):
        error = client.error("auth.login", {"email": email, "password": "wrong password"})
        assert (error.code, error.message) == (401, "Invalid email or password")
    throttled = client.error("auth.login", {"email": email, "password": password})
    assert (throttled.code, throttled.kind) == (429, "rate_limited")
    assert isinstance(throttled.data["retryAfter"], int)
    assert 0 < throttled.data["retryAfter"] <= 15 * 60
    # The address in another case or with spaces is the same account.
    assert client.error("auth.login", {"email": f"  {email.upper()} ", "password": password}).code == 429


def test_other_emails_are_not_affected(client):
    victim, _ = signup(client)
    other, other_password = signup(client)
    for _ in range(6):
        client.error("auth.login", {"email": victim, "password": "wrong password"})
    login(client, other, other_password)


def test_unknown_emails_are_throttled_alike(client):
    ghost = unique_email("ghost")
    codes = [client.error("auth.login", {"email": ghost, "password": "whatever pass"}).code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_a_successful_login_clears_earlier_failures(client):
    email, password = signup(client)
    for _ in range(4):
        client.error("auth.login", {"email": email, "password": "wrong password"})
    login(client, email, password)
    for _ in range(4):
        assert client.error("auth.login", {"email": email, "password": "wrong password"}).code == 401
    login(client, email, password)
