"""users.changePassword (SPEC §6.2): the caller's session stays, the user's others end."""
from conftest import login, signup

NEW_PASSWORD = "a brand new passphrase"


def test_change_password_keeps_the_calling_session_and_ends_the_others(client):
    email, password = signup(client)
    caller = login(client, email, password)
    others = [login(client, email, password) for _ in range(2)]
    bystander_email, bystander_password = signup(client)
    bystander = login(client, bystander_email, bystander_password)

    answer = client.call("users.changePassword", {"session": caller, "currentPassword": password, "newPassword": NEW_PASSWORD})
    assert answer == {"success": True, "message": "Password has been changed successfully."}

    assert client.call("users.me", {"session": caller})["email"] == email
    for session in others:
        assert client.error("users.me", {"session": session}).code == 401
    assert client.call("users.me", {"session": bystander})["email"] == bystander_email
    login(client, email, NEW_PASSWORD)
    assert client.error("auth.login", {"email": email, "password": password}).code == 401


def test_change_password_errors(client):
    email, password = signup(client)
    session = login(client, email, password)

    wrong = client.error("users.changePassword", {"session": session, "currentPassword": "not my password", "newPassword": NEW_PASSWORD})
    assert (wrong.code, wrong.kind, wrong.message) == (403, "forbidden", "Current password is incorrect")

    same = client.error("users.changePassword", {"session": session, "currentPassword": password, "newPassword": password})
    assert (same.code, same.kind) == (400, "validation_failed")
    assert same.data["errors"] == [{"path": ["newPassword"], "message": "New password must be different from the current password"}]

    short = client.error("users.changePassword", {"session": session, "currentPassword": password, "newPassword": "short"})
    assert short.data["errors"] == [{"path": ["newPassword"], "message": "Password must be at least 8 characters"}]

    missing = client.error("users.changePassword", {"session": session})
    assert sorted(e["path"][0] for e in missing.data["errors"]) == ["currentPassword", "newPassword"]

    no_session = client.error("users.changePassword", {"currentPassword": password, "newPassword": NEW_PASSWORD})
    assert (no_session.code, no_session.kind) == (401, "unauthorized")
    bad_session = client.error("users.changePassword", {"session": "nope", "currentPassword": password, "newPassword": NEW_PASSWORD})
    assert (bad_session.code, bad_session.kind) == (401, "unauthorized")

    # None of the refused requests changed anything.
    assert client.call("users.me", {"session": session})["email"] == email
    login(client, email, password)
