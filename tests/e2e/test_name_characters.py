"""Names never carry control characters (they end up in mail bodies and headers): CR, LF, NUL
and every other C0 control, DEL, the C1 controls and the Unicode line and paragraph separators
are refused in every name field with 400 validation_failed, every failing field listed."""
import pytest

from conftest import unique_email
from tenancyhelpers import PASSWORD, create_tenant, expect_validation, new_account

FORBIDDEN = ["\r", "\n", "\r\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]


def named(character):
    return f"Ada{character}Bcc: victim@example.com"


@pytest.mark.parametrize("character", FORBIDDEN, ids=repr)
def test_signup_and_validation_refuse_control_characters_in_the_name(client, character):
    for method in ("test.validation", "auth.signup"):
        expect_validation(client, method, {"email": unique_email(), "password": PASSWORD, "name": named(character)}, "name")
    # Every failing field is listed, not just the first.
    expect_validation(client, "auth.signup", {"email": "nope", "password": PASSWORD, "name": named(character)}, "email", "name")


@pytest.mark.parametrize("character", FORBIDDEN, ids=repr)
def test_profile_updates_refuse_control_characters_in_every_name_field(client, character):
    account = new_account(client)
    params = {"session": account.token, "name": named(character), "givenName": named(character),
              "familyName": named(character), "timezone": "Mars/Olympus"}
    expect_validation(client, "users.update", params, "name", "givenName", "familyName", "timezone")
    assert client.call("users.me", {"session": account.token})["name"] == account.name


@pytest.mark.parametrize("character", FORBIDDEN, ids=repr)
def test_tenant_and_company_names_refuse_control_characters(client, character):
    account = new_account(client)
    expect_validation(client, "tenants.create", {"session": account.token, "tenantName": named(character),
                                                 "companyName": named(character)}, "tenantName", "companyName")
    assert client.call("tenants.list", {"session": account.token})["count"] == 0
    created = create_tenant(client, account.token)
    company = created["company"]["id"]
    expect_validation(client, "companies.create", {"session": account.token, "name": named(character)}, "name")
    expect_validation(client, "companies.update", {"session": account.token, "companyId": company,
                                                   "name": named(character), "logoUrl": "ftp://x"}, "name", "logoUrl")
    assert client.call("companies.get", {"session": account.token, "companyId": company})["name"] == "Acme"


def test_names_in_any_script_are_still_accepted(client):
    account = new_account(client)
    for name in ["José Ñúñez", "李小龍", "Ōtsuka‍ 👩‍👩‍👧", "O'Brien-Smith", "אבי כהן", "Ada\u200dLovelace"]:
        me = client.call("users.update", {"session": account.token, "name": name, "givenName": name[:100]})
        assert me["name"] == name
    tenant = create_tenant(client, account.token, tenant_name="Agence Hélène", company_name="Café Ñandú")
    assert tenant["tenant"]["name"] == "Agence Hélène"


def test_surrounding_line_breaks_are_trimmed_like_other_white_space(client):
    """Trimming comes first (SPEC §6.2): a name typed with a trailing newline is just the name."""
    account = new_account(client)
    assert client.call("users.update", {"session": account.token, "name": "\n Ada Lovelace \r\n"})["name"] == "Ada Lovelace"
