"""Tenancy end to end (SPEC §6.3, issue 4): the onboarding walkthrough, every error of the
tenancy methods, the shapes and rules of tenants, companies (workspaces), members and
invitations, and persistence across restarts.

Invitation tokens travel only by mail, so every test that accepts an invitation receives the mail
at a real SMTP server (aiosmtpd, tests/e2e/mailserver.py) and takes the token from the link."""
import datetime
import email.utils
import json
import time

import pytest

from conftest import mail_env, unique_email
from tenancyhelpers import (
    ALREADY_MEMBER_OR_INVITED, APP_URL, CANNOT_REMOVE_SELF, COMPANY_KEYS, LAST_OWNER, 
    MAIL_SETTINGS, MEMBER_KEYS, MEMBER_NOT_FOUND, NO_TENANT, PASSWORD, TIME_RE, TOKEN_RE, UUID_RE,
    Invites, create_tenant, expect_error, expect_validation, invitation_mail, login, new_account,
    new_owner, random_id,
)


@pytest.fixture
def mail_settings():
    """conftest's `mail_pmd` with the tenancy link base and sender."""
    return MAIL_SETTINGS


@pytest.fixture
def invites(mail_server):
    return Invites(mail_server)


def parse_time(text):
    assert TIME_RE.match(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def check_company(company, tenant_id=None, name=None, workspace=None, status="active", logo=None):
    assert set(company) == COMPANY_KEYS, company
    assert UUID_RE.match(company["id"])
    if tenant_id is not None:
        assert company["tenantId"] == tenant_id
    if name is not None:
        assert company["name"] == name
    if workspace is not None:
        assert company["workspaceName"] == workspace
    assert company["status"] == status
    assert company["logoUrl"] == logo
    assert parse_time(company["createdAt"]) <= parse_time(company["updatedAt"])


def check_member(entry, user_id=None, email=None, role=None):
    assert set(entry) == MEMBER_KEYS, entry
    if user_id is not None:
        assert entry["userId"] == user_id
    if email is not None:
        assert entry["email"] == email
    if role is not None:
        assert entry["role"] == role and entry["roles"] == [role], entry
    parse_time(entry["joinedAt"])


def members_by_email(c, token):
    listed = c.call("members.list", {"session": token})
    assert listed["count"] == len(listed["users"])
    return {m["email"]: m for m in listed["users"]}


# ---------------------------------------------------------------------------------------------
# The onboarding walkthrough and the invitation mail
# ---------------------------------------------------------------------------------------------

def test_onboarding_walkthrough(mail_pmd, mail_server):
    with mail_pmd.client() as c, mail_pmd.client() as c2:
        # 1. The agency founder signs up and logs in: no tenant yet.
        founder_email = unique_email("founder")
        signup = c.call("auth.signup", {"email": founder_email, "password": PASSWORD, "name": "Fran Founder"})
        assert signup["success"] is True
        founder_id = signup["user"]["id"]
        first_login = c.call("auth.login", {"email": founder_email, "password": PASSWORD})
        assert first_login["tenantId"] is None
        token = first_login["session"]["token"]
        expect_error(c, "companies.list", {"session": token}, 400, "bad_request", NO_TENANT)

        # 2. tenants.create: tenant + first workspace, the founder is owner, the tenant is active.
        created = c.call("tenants.create", {"session": token, "tenantName": "Penguin Agency",
                                            "companyName": "Penguin Agency"})
        tenant = created["tenant"]
        assert set(tenant) == {"id", "name"} and UUID_RE.match(tenant["id"])
        assert tenant["name"] == "Penguin Agency"
        check_company(created["company"], tenant["id"], "Penguin Agency", "penguin-agency")
        assert created["company"]["createdAt"] == created["company"]["updatedAt"]
        assert c.call("users.me", {"session": token})["tenantId"] == tenant["id"]
        assert c.call("tenants.list", {"session": token}) == {
            "tenants": [{"id": tenant["id"], "name": "Penguin Agency", "role": "owner"}], "count": 1}

        # 3. A client workspace.
        client_co = c.call("companies.create", {"session": token, "name": "Client One"})
        check_company(client_co, tenant["id"], "Client One", "client-one")

        # 4. Invite a teammate (who has no account yet).
        mate_email = unique_email("teammate")
        sent = c.call("invites.create", {"session": token, "email": mate_email, "role": "member"})
        assert sent["success"] is True and sent["message"] == "Invitation sent successfully"
        invitation = sent["invitation"]
        assert set(invitation) == {"id", "email", "role", "expiresAt"}
        assert invitation["email"] == mate_email and invitation["role"] == "member"
        pending = c.call("invites.list", {"session": token})
        assert pending["count"] == 1 and pending["invitations"][0]["id"] == invitation["id"]

        # 5. The mail arrives with the link APP_URL/invite?token=…
        mail = invitation_mail(mail_server, mate_email)
        invite_token = mail.token("/invite", APP_URL)
        assert invite_token and TOKEN_RE.match(invite_token), mail.body
        assert invite_token not in json.dumps(sent) + json.dumps(pending), "the token travels only by mail"

        # 6. The teammate signs up, logs in (no tenant) and accepts.
        c2.call("auth.signup", {"email": mate_email, "password": PASSWORD, "name": "Tess Teammate"})
        mate_token, mate_login = login(c2, mate_email)
        assert mate_login["tenantId"] is None
        accepted = c2.call("invites.accept", {"session": mate_token, "token": invite_token})
        assert accepted == {"tenant": {"id": tenant["id"], "name": "Penguin Agency"}, "role": "member"}

        # 7. Both are members; the teammate's active tenant is the agency.
        for who in (token, mate_token):
            members = members_by_email(c, who)
            assert set(members) == {founder_email, mate_email}
            check_member(members[founder_email], founder_id, founder_email, "owner")
            check_member(members[mate_email], mate_login["user"]["id"], mate_email, "member")
            assert members[founder_email]["name"] == "Fran Founder"
            assert members[mate_email]["name"] == "Tess Teammate"
        assert c2.call("users.me", {"session": mate_token})["tenantId"] == tenant["id"]
        assert c2.call("tenants.list", {"session": mate_token}) == {
            "tenants": [{"id": tenant["id"], "name": "Penguin Agency", "role": "member"}], "count": 1}
        companies = c2.call("companies.list", {"session": mate_token})
        assert [co["id"] for co in companies["companies"]] == [client_co["id"], created["company"]["id"]]
        assert c.call("invites.list", {"session": token}) == {"invitations": [], "count": 0}
        # A fresh login lands in the only tenant.
        assert login(c2, mate_email)[1]["tenantId"] == tenant["id"]


def test_invitation_mail_arrives_at_a_real_smtp_server(mail_pmd, mail_server):
    with mail_pmd.client() as c:
        owner, _ = new_owner(c)
        first, second = unique_email("inv"), unique_email("inv")
        c.call("invites.create", {"session": owner.token, "email": first, "role": "viewer"})
        c.call("invites.create", {"session": owner.token, "email": second, "role": "admin"})
        m1, m2 = invitation_mail(mail_server, first), invitation_mail(mail_server, second)
        for message, address in ((m1, first), (m2, second)):
            assert address in message.recipients
            assert email.utils.parseaddr(message.sender)[1] == "invites@penguinmails.test"
            assert message.subject.strip(), "the mail has a subject"
            assert TOKEN_RE.match(message.token("/invite", APP_URL) or ""), message.body
        assert m1.token("/invite", APP_URL) != m2.token("/invite", APP_URL)
        assert first not in m2.recipients and second not in m1.recipients


def test_invitation_token_is_single_use(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, _ = new_owner(c)
        mate = new_account(c, "mate")
        invites.invite(c, owner.token, mate.email, "member")
        token = invites.token(mate.email)
        c.call("invites.accept", {"session": mate.token, "token": token})
        expect_error(c, "invites.accept", {"session": mate.token, "token": token}, 404, "not_found")
        # Used invitations are no longer pending, and cannot be revoked.
        assert c.call("invites.list", {"session": owner.token})["count"] == 0


def test_accept_needs_the_invited_email(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, created = new_owner(c)
        mate = new_account(c, "mate")
        intruder = new_account(c, "intruder")
        invites.invite(c, owner.token, mate.email, "member")
        token = invites.token(mate.email)
        expect_error(c, "invites.accept", {"session": intruder.token, "token": token}, 403, "forbidden")
        assert c.call("users.me", {"session": intruder.token})["tenantId"] is None
        assert c.call("tenants.list", {"session": intruder.token})["count"] == 0
        assert c.call("invites.list", {"session": owner.token})["count"] == 1, "still pending"
        # The right person can still accept.
        accepted = c.call("invites.accept", {"session": mate.token, "token": token})
        assert accepted["tenant"]["id"] == created["tenant"]["id"]


def test_accept_revoked_invitation_is_404(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, _ = new_owner(c)
        mate = new_account(c, "mate")
        invitation = invites.invite(c, owner.token, mate.email, "member")["invitation"]
        token = invites.token(mate.email)
        assert c.call("invites.revoke", {"session": owner.token, "invitationId": invitation["id"]}) == {"revoked": True}
        expect_error(c, "invites.accept", {"session": mate.token, "token": token}, 404, "not_found")
        assert c.call("tenants.list", {"session": mate.token})["count"] == 0


def test_accept_expired_invitation_is_404(pmd_factory, mail_server):
    server = pmd_factory(env=mail_env(mail_server, **MAIL_SETTINGS, PMD_INVITE_TTL="2s"))
    invites = Invites(mail_server)
    with server.client() as c:
        owner, _ = new_owner(c)
        mate = new_account(c, "mate")
        invitation = invites.invite(c, owner.token, mate.email, "member")["invitation"]
        listed = c.call("invites.list", {"session": owner.token})["invitations"][0]
        lifetime = parse_time(listed["expiresAt"]) - parse_time(listed["createdAt"])
        assert abs(lifetime.total_seconds() - 2) < 0.5
        token = invites.token(mate.email)
        time.sleep(2.5)
        expect_error(c, "invites.accept", {"session": mate.token, "token": token}, 404, "not_found")
        # An expired invitation is not pending: not listed, not revocable, and the address may be
        # invited again.
        assert c.call("invites.list", {"session": owner.token})["count"] == 0
        expect_error(c, "invites.revoke", {"session": owner.token, "invitationId": invitation["id"]}, 404, "not_found")
        again = invites.invite(c, owner.token, mate.email, "member")["invitation"]
        assert again["id"] != invitation["id"]


def test_accept_unknown_token_is_404(signed_in):
    c, token, _, _ = signed_in
    # No active tenant is needed to accept: an unknown token is 404, not 400 "No tenant context".
    expect_error(c, "invites.accept", {"session": token, "token": "A" * 43}, 404, "not_found")
    expect_error(c, "invites.accept", {"session": token, "token": "no-such-token"}, 404, "not_found")
    assert c.call("users.me", {"session": token})["tenantId"] is None


def test_accept_switches_the_active_tenant(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, agency = new_owner(c, tenant_name="Agency")
        freelancer, own = new_owner(c, "freelancer", tenant_name="Freelance", company_name="Solo")
        invites.invite(c, owner.token, freelancer.email, "viewer")
        accepted = c.call("invites.accept", {"session": freelancer.token, "token": invites.token(freelancer.email)})
        assert accepted == {"tenant": {"id": agency["tenant"]["id"], "name": "Agency"}, "role": "viewer"}
        assert c.call("users.me", {"session": freelancer.token})["tenantId"] == agency["tenant"]["id"]
        listed = c.call("tenants.list", {"session": freelancer.token})
        assert listed["count"] == 2
        assert sorted((t["name"], t["role"]) for t in listed["tenants"]) == [("Agency", "viewer"), ("Freelance", "owner")]
        # Back to the own tenant and again.
        c.call("tenants.switch", {"session": freelancer.token, "tenantId": own["tenant"]["id"]})
        assert [co["id"] for co in c.call("companies.list", {"session": freelancer.token})["companies"]] == [own["company"]["id"]]
        c.call("tenants.switch", {"session": freelancer.token, "tenantId": agency["tenant"]["id"]})
        assert [co["id"] for co in c.call("companies.list", {"session": freelancer.token})["companies"]] == [agency["company"]["id"]]


# ---------------------------------------------------------------------------------------------
# Errors common to every method
# ---------------------------------------------------------------------------------------------

def tenant_method_params():
    """Every tenant-scoped method with otherwise valid params."""
    return {
        "companies.list": {},
        "companies.get": {"companyId": random_id()},
        "companies.create": {"name": "Globex"},
        "companies.update": {"companyId": random_id(), "name": "Globex"},
        "companies.archive": {"companyId": random_id()},
        "members.list": {},
        "members.remove": {"userId": random_id()},
        "members.setRole": {"userId": random_id(), "role": "viewer"},
        "invites.create": {"email": "someone@example.com", "role": "member"},
        "invites.list": {},
        "invites.revoke": {"invitationId": random_id()},
    }


def session_method_params():
    return {
        **tenant_method_params(),
        "tenants.create": {"tenantName": "Acme Agency", "companyName": "Acme"},
        "tenants.list": {},
        "tenants.switch": {"tenantId": random_id()},
        "invites.accept": {"token": "A" * 43},
    }


def test_rpc_methods_lists_the_tenancy_methods(client):
    listed = {m["name"]: m for m in client.call("rpc.methods")["methods"]}
    for method, params in session_method_params().items():
        assert method in listed, f"rpc.methods lacks {method}"
        entry = listed[method]
        assert entry["session"] is True
        assert entry["tenant"] is (method in tenant_method_params()), entry
        names = {p["name"] for p in entry["params"]}
        assert {"session", *params} <= names, (method, names)
    assert {p["name"] for p in listed["companies.update"]["params"]} == {"session", "companyId", "name", "logoUrl"}


@pytest.mark.parametrize("method", sorted(session_method_params()))
def test_session_methods_answer_401_without_a_valid_session(client, method):
    params = session_method_params()[method]
    expect_error(client, method, params, 401, "unauthorized")
    expect_error(client, method, {**params, "session": "A" * 43}, 401, "unauthorized")
    # A logged-out session is dead everywhere.
    account = new_account(client)
    create_tenant(client, account.token)
    client.call("auth.logout", {"session": account.token})
    expect_error(client, method, {**params, "session": account.token}, 401, "unauthorized")


@pytest.mark.parametrize("method", sorted(tenant_method_params()))
def test_tenant_methods_answer_400_without_an_active_tenant(signed_in, method):
    c, token, _, _ = signed_in
    expect_error(c, method, {**tenant_method_params()[method], "session": token}, 400, "bad_request", NO_TENANT)


def test_tenant_free_methods_work_without_an_active_tenant(signed_in):
    c, token, _, _ = signed_in
    assert c.call("tenants.list", {"session": token}) == {"tenants": [], "count": 0}
    expect_error(c, "tenants.switch", {"session": token, "tenantId": random_id()}, 404, "not_found")


ID_PARAMS = [
    ("companies.get", "companyId", {}),
    ("companies.update", "companyId", {"name": "New name"}),
    ("companies.archive", "companyId", {}),
    ("members.remove", "userId", {}),
    ("members.setRole", "userId", {"role": "viewer"}),
    ("invites.revoke", "invitationId", {}),
    ("tenants.switch", "tenantId", {}),
]


@pytest.mark.parametrize("method,field,extra", ID_PARAMS, ids=[f"{m}.{f}" for m, f, _ in ID_PARAMS])
@pytest.mark.parametrize("bad", ["nope", "", "12345678-1234-1234-1234-12345678901", 42, None, ["x"]],
                         ids=["word", "empty", "short-uuid", "number", "null", "array"])
def test_malformed_ids_are_validation_errors(client, method, field, extra, bad):
    owner, _ = new_owner(client)
    expect_validation(client, method, {"session": owner.token, field: bad, **extra}, field)


ALL_TENANCY_METHODS = sorted(session_method_params())


@pytest.mark.parametrize("method", ALL_TENANCY_METHODS)
def test_unknown_params_are_validation_errors(client, method):
    owner, _ = new_owner(client)
    params = {**session_method_params()[method], "session": owner.token, "bogusField": 1}
    expect_validation(client, method, params, "bogusField")


MISSING = [
    ("tenants.create", {}, ["tenantName", "companyName"]),
    ("tenants.switch", {}, ["tenantId"]),
    ("companies.get", {}, ["companyId"]),
    ("companies.create", {}, ["name"]),
    ("companies.archive", {}, ["companyId"]),
    ("members.remove", {}, ["userId"]),
    ("members.setRole", {}, ["userId", "role"]),
    ("members.setRole", {"userId": "00000000-0000-4000-8000-000000000000"}, ["role"]),
    ("invites.create", {}, ["email", "role"]),
    ("invites.create", {"email": "not-an-email", "role": "boss"}, ["email", "role"]),
    ("invites.revoke", {}, ["invitationId"]),
    ("invites.accept", {}, ["token"]),
]


@pytest.mark.parametrize("method,params,paths", MISSING, ids=[f"{m}-{'+'.join(p)}" for m, _, p in MISSING])
def test_missing_and_invalid_params_list_every_failing_field(client, method, params, paths):
    owner, _ = new_owner(client)
    expect_validation(client, method, {"session": owner.token, **params}, *paths)


def test_companies_update_without_id_reports_the_id(client):
    owner, _ = new_owner(client)
    error = expect_error(client, "companies.update", {"session": owner.token, "name": "X"}, 400, "validation_failed")
    assert ["companyId"] in [e["path"] for e in error["data"]["errors"]]


# ---------------------------------------------------------------------------------------------
# tenants.create: trimming, lengths
# ---------------------------------------------------------------------------------------------

def test_tenants_create_trims_and_accepts_boundary_lengths(signed_in):
    c, token, _, _ = signed_in
    created = create_tenant(c, token, "  \t Acme Agency \n", "   Acme Corp  ")
    assert created["tenant"]["name"] == "Acme Agency"
    assert created["company"]["name"] == "Acme Corp" and created["company"]["workspaceName"] == "acme-corp"
    longest = create_tenant(c, token, "  " + "T" * 100 + "  ", "  " + "C" * 255 + "  ")
    assert longest["tenant"]["name"] == "T" * 100
    assert longest["company"]["name"] == "C" * 255
    # Lengths count characters, not bytes.
    accented = create_tenant(c, token, "é" * 100, "ü" * 255)
    assert accented["tenant"]["name"] == "é" * 100 and accented["company"]["name"] == "ü" * 255
    shortest = create_tenant(c, token, "T", "C")
    assert shortest["tenant"]["name"] == "T" and shortest["company"]["workspaceName"] == "c"


BAD_TENANT_NAMES = ["", "   ", "\t\n", "T" * 101, "é" * 101, 42, None, True, {"a": 1}]
BAD_COMPANY_NAMES = ["", "   ", "C" * 256, "é" * 256, 42, None, ["C"]]


@pytest.mark.parametrize("bad", BAD_TENANT_NAMES, ids=lambda v: repr(v)[:20])
def test_tenants_create_rejects_bad_tenant_names(signed_in, bad):
    c, token, _, _ = signed_in
    expect_validation(c, "tenants.create", {"session": token, "tenantName": bad, "companyName": "Acme"}, "tenantName")
    assert c.call("tenants.list", {"session": token})["count"] == 0


@pytest.mark.parametrize("bad", BAD_COMPANY_NAMES, ids=lambda v: repr(v)[:20])
def test_tenants_create_rejects_bad_company_names(signed_in, bad):
    c, token, _, _ = signed_in
    expect_validation(c, "tenants.create", {"session": token, "tenantName": "Acme", "companyName": bad}, "companyName")
    expect_validation(c, "tenants.create", {"session": token, "tenantName": "", "companyName": bad},
                      "tenantName", "companyName")
    assert c.call("tenants.list", {"session": token})["count"] == 0
    assert c.call("users.me", {"session": token})["tenantId"] is None


def test_tenants_create_makes_the_caller_owner_and_the_tenant_active(signed_in):
    c, token, email, _ = signed_in
    first = create_tenant(c, token, "First", "First Co")
    second = create_tenant(c, token, "Second", "Second Co")
    assert first["tenant"]["id"] != second["tenant"]["id"]
    assert c.call("users.me", {"session": token})["tenantId"] == second["tenant"]["id"]
    listed = c.call("tenants.list", {"session": token})
    assert listed["count"] == 2
    assert sorted((t["id"], t["name"], t["role"]) for t in listed["tenants"]) == sorted(
        [(first["tenant"]["id"], "First", "owner"), (second["tenant"]["id"], "Second", "owner")])
    members = members_by_email(c, token)
    assert list(members) == [email]
    check_member(members[email], role="owner")
    assert [co["id"] for co in c.call("companies.list", {"session": token})["companies"]] == [second["company"]["id"]]


# ---------------------------------------------------------------------------------------------
# Workspace names
# ---------------------------------------------------------------------------------------------

SLUGS = [
    ("Acme", "acme"),
    ("Acme, Inc.", "acme-inc"),
    ("  Hello   World  ", "hello-world"),
    ("--Foo__Bar--", "foo-bar"),
    ("ABC 123 xyz", "abc-123-xyz"),
    ("Mixed-Case_Name.v2", "mixed-case-name-v2"),
    ("2024", "2024"),
    ("Café Crème", "caf-cr-me"),           # non-ASCII letters are separators
    ("The   ---   End!!!", "the-end"),
    ("a" * 100, "a" * 63),                 # at most 63 characters
    ("x" * 62 + " yz", "x" * 62),          # the cut lands on a separator: trimmed of "-"
    ("q" * 63 + "rest", "q" * 63),
]


def test_workspace_names_follow_the_slug_rule(signed_in):
    c, token, _, _ = signed_in
    create_tenant(c, token, "Agency", "Seed Company")
    for name, slug in SLUGS:
        company = c.call("companies.create", {"session": token, "name": name})
        assert company["workspaceName"] == slug, f"{name!r} → {company['workspaceName']!r}, expected {slug!r}"
        assert company["name"] == name.strip()


def test_workspace_name_is_workspace_for_an_all_symbol_name(signed_in):
    c, token, _, _ = signed_in
    assert create_tenant(c, token, "Agency", "!!!")["company"]["workspaceName"] == "workspace"
    seen = [c.call("companies.create", {"session": token, "name": name})["workspaceName"]
            for name in ("???", "日本語", "— · —", "Workspace")]
    assert seen == ["workspace-1", "workspace-2", "workspace-3", "workspace-4"]


def test_workspace_names_are_unique_across_all_tenants_by_the_smallest_free_suffix(client):
    a, _ = new_owner(client, "a", company_name="Acme")
    b, b_created = new_owner(client, "b", company_name="ACME")
    assert b_created["company"]["workspaceName"] == "acme-1"
    assert client.call("companies.create", {"session": a.token, "name": "acme"})["workspaceName"] == "acme-2"
    # "Acme 4" takes acme-4 literally; the next "Acme" gets the smallest free suffix, 3, then 5.
    assert client.call("companies.create", {"session": b.token, "name": "Acme 4"})["workspaceName"] == "acme-4"
    assert client.call("companies.create", {"session": a.token, "name": "Acme!"})["workspaceName"] == "acme-3"
    assert create_tenant(client, b.token, "B2", " acme ")["company"]["workspaceName"] == "acme-5"
    # A name that is itself suffixed gets its own suffix.
    assert client.call("companies.create", {"session": a.token, "name": "Acme-1"})["workspaceName"] == "acme-1-1"


def test_suffixed_workspace_names_stay_within_63_characters(signed_in):
    c, token, _, _ = signed_in
    create_tenant(c, token, "Agency", "b" * 100)
    names = [c.call("companies.create", {"session": token, "name": "b" * 100})["workspaceName"] for _ in range(11)]
    assert len(set(names)) == 11
    for n, slug in enumerate(names, start=1):
        assert slug.endswith(f"-{n}") and slug.startswith("b" * 59) and len(slug) <= 63, slug
        assert set(slug[: -len(f"-{n}")]) == {"b"}


def test_workspace_name_never_changes(signed_in):
    c, token, _, _ = signed_in
    created = create_tenant(c, token, "Agency", "Initech")
    company = created["company"]
    renamed = c.call("companies.update", {"session": token, "companyId": company["id"], "name": "Initrode Global"})
    assert renamed["name"] == "Initrode Global" and renamed["workspaceName"] == "initech"
    assert c.call("companies.get", {"session": token, "companyId": company["id"]})["workspaceName"] == "initech"
    # The old slug stays taken; the new name's slug is still free.
    assert c.call("companies.create", {"session": token, "name": "Initech"})["workspaceName"] == "initech-1"
    assert c.call("companies.create", {"session": token, "name": "Initrode Global"})["workspaceName"] == "initrode-global"
    archived = c.call("companies.archive", {"session": token, "companyId": company["id"]})
    assert archived["workspaceName"] == "initech"
    assert c.call("companies.create", {"session": token, "name": "Initech"})["workspaceName"] == "initech-2"


# ---------------------------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------------------------

def test_companies_create_get_and_list_newest_first_with_archived(signed_in):
    c, token, _, _ = signed_in
    created = create_tenant(c, token, "Agency", "Zero")
    tenant_id = created["tenant"]["id"]
    made = [created["company"]]
    for i in range(1, 6):
        company = c.call("companies.create", {"session": token, "name": f"  Client {i}  "})
        check_company(company, tenant_id, f"Client {i}", f"client-{i}")
        assert company["createdAt"] == company["updatedAt"]
        assert c.call("companies.get", {"session": token, "companyId": company["id"]}) == company
        made.append(company)
    archived = c.call("companies.archive", {"session": token, "companyId": made[2]["id"]})
    check_company(archived, tenant_id, made[2]["name"], made[2]["workspaceName"], status="archived")
    assert archived["createdAt"] == made[2]["createdAt"]
    listed = c.call("companies.list", {"session": token})
    assert listed["count"] == 6
    assert [co["id"] for co in listed["companies"]] == [co["id"] for co in reversed(made)], "newest first"
    times = [parse_time(co["createdAt"]) for co in listed["companies"]]
    assert times == sorted(times, reverse=True)
    by_id = {co["id"]: co for co in listed["companies"]}
    assert by_id[made[2]["id"]]["status"] == "archived"
    assert [co["status"] for co in listed["companies"]].count("active") == 5
    assert c.call("companies.get", {"session": token, "companyId": made[2]["id"]})["status"] == "archived"


@pytest.mark.parametrize("bad", ["", "   ", "C" * 256, 7, None], ids=repr)
def test_companies_create_validates_the_name(signed_in, bad):
    c, token, _, _ = signed_in
    create_tenant(c, token)
    expect_validation(c, "companies.create", {"session": token, "name": bad}, "name")
    assert c.call("companies.list", {"session": token})["count"] == 1


def test_companies_create_accepts_255_characters_after_trimming(signed_in):
    c, token, _, _ = signed_in
    create_tenant(c, token)
    assert c.call("companies.create", {"session": token, "name": " " + "n" * 255 + " "})["name"] == "n" * 255


def test_companies_get_update_archive_unknown_ids_are_404(signed_in):
    c, token, _, _ = signed_in
    create_tenant(c, token)
    missing = random_id()
    expect_error(c, "companies.get", {"session": token, "companyId": missing}, 404, "not_found")
    expect_error(c, "companies.update", {"session": token, "companyId": missing, "name": "X"}, 404, "not_found")
    expect_error(c, "companies.archive", {"session": token, "companyId": missing}, 404, "not_found")


def test_companies_update_name_and_logo(signed_in):
    c, token, _, _ = signed_in
    company = create_tenant(c, token, "Agency", "Umbrella")["company"]
    time.sleep(0.01)
    renamed = c.call("companies.update", {"session": token, "companyId": company["id"], "name": "  Umbrella Corp "})
    check_company(renamed, company["tenantId"], "Umbrella Corp", "umbrella")
    assert renamed["createdAt"] == company["createdAt"]
    assert parse_time(renamed["updatedAt"]) > parse_time(company["updatedAt"])

    for url in ("https://cdn.example.com/logo.png", "http://example.com/a/b?c=d#e",
                "https://example.com/" + "l" * (500 - len("https://example.com/"))):
        updated = c.call("companies.update", {"session": token, "companyId": company["id"], "logoUrl": url})
        assert updated["logoUrl"] == url and updated["name"] == "Umbrella Corp"
        assert c.call("companies.get", {"session": token, "companyId": company["id"]})["logoUrl"] == url

    both = c.call("companies.update", {"session": token, "companyId": company["id"], "name": "Umbrella",
                                       "logoUrl": "https://example.com/u.svg"})
    assert both["name"] == "Umbrella" and both["logoUrl"] == "https://example.com/u.svg"
    cleared = c.call("companies.update", {"session": token, "companyId": company["id"], "logoUrl": None})
    assert cleared["logoUrl"] is None and cleared["name"] == "Umbrella"
    assert c.call("companies.get", {"session": token, "companyId": company["id"]})["logoUrl"] is None


BAD_LOGOS = [
    "ftp://example.com/logo.png", "not a url", "javascript:alert(1)", "example.com/logo.png",
    "https://", "mailto:logo@example.com", "https://example.com/" + "l" * (501 - len("https://example.com/")),
    42, ["https://example.com/"],
]


@pytest.mark.parametrize("bad", BAD_LOGOS, ids=lambda v: repr(v)[:30])
def test_companies_update_rejects_bad_logo_urls_and_changes_nothing(signed_in, bad):
    c, token, _, _ = signed_in
    company = create_tenant(c, token, "Agency", "Umbrella")["company"]
    expect_validation(c, "companies.update", {"session": token, "companyId": company["id"], "logoUrl": bad}, "logoUrl")
    # A valid name beside a bad logo is not applied either: a request is all or nothing.
    expect_validation(c, "companies.update", {"session": token, "companyId": company["id"], "logoUrl": bad,
                                              "name": "Renamed"}, "logoUrl")
    expect_validation(c, "companies.update", {"session": token, "companyId": company["id"], "logoUrl": bad,
                                              "name": "  "}, "logoUrl", "name")
    assert c.call("companies.get", {"session": token, "companyId": company["id"]}) == company


def test_companies_update_needs_at_least_one_field(signed_in):
    c, token, _, _ = signed_in
    company = create_tenant(c, token)["company"]
    expect_validation(c, "companies.update", {"session": token, "companyId": company["id"]}, ())
    for bad in ("", "   ", "N" * 256):
        expect_validation(c, "companies.update", {"session": token, "companyId": company["id"], "name": bad}, "name")
    expect_validation(c, "companies.update", {"session": token, "companyId": company["id"], "name": "X",
                                              "workspaceName": "hijack"}, "workspaceName")
    assert c.call("companies.get", {"session": token, "companyId": company["id"]}) == company


def test_companies_archive(signed_in):
    c, token, _, _ = signed_in
    company = create_tenant(c, token, "Agency", "Hooli")["company"]
    time.sleep(0.01)
    archived = c.call("companies.archive", {"session": token, "companyId": company["id"]})
    check_company(archived, company["tenantId"], "Hooli", "hooli", status="archived")
    assert parse_time(archived["updatedAt"]) > parse_time(company["updatedAt"])
    assert c.call("companies.get", {"session": token, "companyId": company["id"]}) == archived
    listed = c.call("companies.list", {"session": token})
    assert listed == {"companies": [archived], "count": 1}


# ---------------------------------------------------------------------------------------------
# tenants.list / tenants.switch
# ---------------------------------------------------------------------------------------------

def test_tenants_switch(client):
    alice, alpha = new_owner(client, "alice", "Alpha", "Alpha Co")
    beta = create_tenant(client, alice.token, "Beta", "Beta Co")
    bob, bobs = new_owner(client, "bob", "Bob's", "Bob Co")
    assert client.call("users.me", {"session": alice.token})["tenantId"] == beta["tenant"]["id"]

    assert client.call("tenants.switch", {"session": alice.token, "tenantId": alpha["tenant"]["id"]}) == {
        "tenantId": alpha["tenant"]["id"]}
    assert client.call("users.me", {"session": alice.token})["tenantId"] == alpha["tenant"]["id"]
    assert [co["id"] for co in client.call("companies.list", {"session": alice.token})["companies"]] == [
        alpha["company"]["id"]]

    # Not a member: 404, and the active tenant is unchanged.
    expect_error(client, "tenants.switch", {"session": alice.token, "tenantId": bobs["tenant"]["id"]}, 404, "not_found")
    expect_error(client, "tenants.switch", {"session": alice.token, "tenantId": random_id()}, 404, "not_found")
    assert client.call("users.me", {"session": alice.token})["tenantId"] == alpha["tenant"]["id"]
    assert {t["id"] for t in client.call("tenants.list", {"session": bob.token})["tenants"]} == {bobs["tenant"]["id"]}

    # Switching to the active tenant again is fine.
    client.call("tenants.switch", {"session": alice.token, "tenantId": alpha["tenant"]["id"]})
    # A new login lands in the last tenant used.
    assert login(client, alice.email)[1]["tenantId"] == alpha["tenant"]["id"]


def test_the_active_tenant_belongs_to_the_session(client):
    alice, alpha = new_owner(client, "alice", "Alpha", "Alpha Co")
    beta = create_tenant(client, alice.token, "Beta", "Beta Co")
    other_session, _ = login(client, alice.email)
    assert client.call("users.me", {"session": other_session})["tenantId"] == beta["tenant"]["id"]
    client.call("tenants.switch", {"session": other_session, "tenantId": alpha["tenant"]["id"]})
    assert client.call("users.me", {"session": other_session})["tenantId"] == alpha["tenant"]["id"]
    assert client.call("users.me", {"session": alice.token})["tenantId"] == beta["tenant"]["id"]
    assert client.call("companies.list", {"session": alice.token})["companies"][0]["id"] == beta["company"]["id"]


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------

def test_members_list_remove_and_set_role_errors_for_a_sole_owner(client):
    owner, created = new_owner(client)
    stranger = new_account(client, "stranger")
    other_owner, _ = new_owner(client, "other", "Other", "Other Co")
    listed = client.call("members.list", {"session": owner.token})
    assert listed["count"] == 1
    check_member(listed["users"][0], owner.user_id, owner.email, "owner")
    assert listed["users"][0]["name"] == owner.name

    remove = {"session": owner.token}
    expect_error(client, "members.remove", {**remove, "userId": owner.user_id}, 403, "forbidden", CANNOT_REMOVE_SELF)
    for who in (random_id(), stranger.user_id, other_owner.user_id):
        expect_error(client, "members.remove", {**remove, "userId": who}, 404, "not_found", MEMBER_NOT_FOUND)
        expect_error(client, "members.setRole", {**remove, "userId": who, "role": "admin"}, 404, "not_found",
                     MEMBER_NOT_FOUND)
    for role in ("admin", "member", "viewer"):
        expect_error(client, "members.setRole", {"session": owner.token, "userId": owner.user_id, "role": role},
                     403, "forbidden", LAST_OWNER)
    for bad in ("superuser", "Owner", "", 1, None):
        expect_validation(client, "members.setRole", {"session": owner.token, "userId": owner.user_id, "role": bad}, "role")
    # Setting the role one already has is allowed and changes nothing.
    same = client.call("members.setRole", {"session": owner.token, "userId": owner.user_id, "role": "owner"})
    assert same == listed["users"][0]
    assert client.call("members.list", {"session": owner.token}) == listed


def test_owner_invariant_with_two_owners(mail_pmd, invites):
    with mail_pmd.client() as c:
        a, created = new_owner(c, "a")
        b = invites.add_member(c, a.token, "owner", "b")
        assert members_by_email(c, a.token)[b.email]["role"] == "owner"
        # With two owners, one may step down.
        stepped = c.call("members.setRole", {"session": a.token, "userId": a.user_id, "role": "admin"})
        check_member(stepped, a.user_id, a.email, "admin")
        # Now b is the last owner.
        for role in ("admin", "member", "viewer"):
            expect_error(c, "members.setRole", {"session": b.token, "userId": b.user_id, "role": role},
                         403, "forbidden", LAST_OWNER)
        expect_error(c, "members.remove", {"session": b.token, "userId": b.user_id}, 403, "forbidden", CANNOT_REMOVE_SELF)
        # a (admin now) may not touch the owner.
        expect_error(c, "members.setRole", {"session": a.token, "userId": b.user_id, "role": "member"}, 403, "forbidden",
                     "Forbidden")
        expect_error(c, "members.remove", {"session": a.token, "userId": b.user_id}, 403, "forbidden", "Forbidden")
        # b promotes a back, then removes the other owner: fine while one owner remains.
        c.call("members.setRole", {"session": b.token, "userId": a.user_id, "role": "owner"})
        assert c.call("members.remove", {"session": b.token, "userId": a.user_id}) == {"removed": True}
        members = members_by_email(c, b.token)
        assert list(members) == [b.email] and members[b.email]["role"] == "owner"
        expect_error(c, "members.setRole", {"session": b.token, "userId": b.user_id, "role": "viewer"},
                     403, "forbidden", LAST_OWNER)


def test_members_remove_ends_the_tenant_for_the_removed_members_sessions(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, created = new_owner(c, "owner", "Agency")
        tenant_id = created["tenant"]["id"]
        mate = invites.add_member(c, owner.token, "member", "mate")
        second_session, second_login = login(c, mate.email)
        assert second_login["tenantId"] == tenant_id
        for token in (mate.token, second_session):
            assert c.call("users.me", {"session": token})["tenantId"] == tenant_id
        assert c.call("members.remove", {"session": owner.token, "userId": mate.user_id}) == {"removed": True}

        for token in (mate.token, second_session):
            assert c.call("users.me", {"session": token})["tenantId"] is None
            for method, params in tenant_method_params().items():
                expect_error(c, method, {**params, "session": token}, 400, "bad_request", NO_TENANT)
            assert c.call("tenants.list", {"session": token}) == {"tenants": [], "count": 0}
            expect_error(c, "tenants.switch", {"session": token, "tenantId": tenant_id}, 404, "not_found")
        assert login(c, mate.email)[1]["tenantId"] is None
        assert mate.email not in members_by_email(c, owner.token)
        expect_error(c, "members.remove", {"session": owner.token, "userId": mate.user_id}, 404, "not_found",
                     MEMBER_NOT_FOUND)
        # The owner's own session is untouched, and the removed user may be invited again.
        assert c.call("users.me", {"session": owner.token})["tenantId"] == tenant_id
        invites.invite(c, owner.token, mate.email, "viewer")


def test_removal_keeps_another_active_tenant(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, agency = new_owner(c, "owner", "Agency")
        mate, own = new_owner(c, "mate", "Own", "Own Co")
        invites.invite(c, owner.token, mate.email, "member")
        c.call("invites.accept", {"session": mate.token, "token": invites.token(mate.email)})
        parked, _ = login(c, mate.email)  # lands in the agency (last used)
        c.call("tenants.switch", {"session": mate.token, "tenantId": own["tenant"]["id"]})
        c.call("members.remove", {"session": owner.token, "userId": mate.user_id})
        assert c.call("users.me", {"session": mate.token})["tenantId"] == own["tenant"]["id"]
        assert c.call("users.me", {"session": parked})["tenantId"] is None
        assert c.call("tenants.list", {"session": mate.token})["tenants"] == [
            {"id": own["tenant"]["id"], "name": "Own", "role": "owner"}]
        assert login(c, mate.email)[1]["tenantId"] == own["tenant"]["id"]


# ---------------------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------------------

def test_invites_create_list_and_revoke(client):
    owner, _ = new_owner(client)
    made = []
    for role in ("viewer", "member", "admin", "owner"):
        sent = client.call("invites.create", {"session": owner.token, "email": unique_email(role), "role": role})
        assert sent["success"] is True and sent["message"] == "Invitation sent successfully"
        invitation = sent["invitation"]
        assert set(invitation) == {"id", "email", "role", "expiresAt"} and invitation["role"] == role
        assert UUID_RE.match(invitation["id"])
        made.append(invitation)
    listed = client.call("invites.list", {"session": owner.token})
    assert listed["count"] == 4
    assert [i["id"] for i in listed["invitations"]] == [i["id"] for i in reversed(made)], "newest first"
    for entry, invitation in zip(listed["invitations"], reversed(made)):
        assert set(entry) == {"id", "email", "role", "createdAt", "expiresAt"}
        assert (entry["email"], entry["role"], entry["expiresAt"]) == (
            invitation["email"], invitation["role"], invitation["expiresAt"])
        lifetime = parse_time(entry["expiresAt"]) - parse_time(entry["createdAt"])
        assert abs(lifetime.total_seconds() - 7 * 86400) < 2, "PMD_INVITE_TTL defaults to 7d"

    assert client.call("invites.revoke", {"session": owner.token, "invitationId": made[1]["id"]}) == {"revoked": True}
    listed = client.call("invites.list", {"session": owner.token})
    assert listed["count"] == 3 and made[1]["id"] not in [i["id"] for i in listed["invitations"]]
    # Not pending any more: 404.
    expect_error(client, "invites.revoke", {"session": owner.token, "invitationId": made[1]["id"]}, 404, "not_found")
    expect_error(client, "invites.revoke", {"session": owner.token, "invitationId": random_id()}, 404, "not_found")


def test_invites_create_lowercases_the_email(client):
    owner, _ = new_owner(client)
    address = unique_email("MixedCase")
    invitation = client.call("invites.create", {"session": owner.token, "email": address.upper(), "role": "member"})
    assert invitation["invitation"]["email"] == address.lower()
    assert client.call("invites.list", {"session": owner.token})["invitations"][0]["email"] == address.lower()


def test_invites_create_409_for_a_member_and_for_a_pending_invitation(client):
    owner, _ = new_owner(client)
    for address in (owner.email, owner.email.upper()):
        for role in ("member", "owner"):
            expect_error(client, "invites.create", {"session": owner.token, "email": address, "role": role},
                         409, "conflict", ALREADY_MEMBER_OR_INVITED)
    address = unique_email("invitee")
    first = client.call("invites.create", {"session": owner.token, "email": address, "role": "member"})["invitation"]
    for variant, role in ((address, "member"), (address.upper(), "member"), (address, "admin")):
        expect_error(client, "invites.create", {"session": owner.token, "email": variant, "role": role},
                     409, "conflict", ALREADY_MEMBER_OR_INVITED)
    assert client.call("invites.list", {"session": owner.token})["count"] == 1
    # After a revoke the address can be invited again.
    client.call("invites.revoke", {"session": owner.token, "invitationId": first["id"]})
    again = client.call("invites.create", {"session": owner.token, "email": address, "role": "viewer"})["invitation"]
    assert again["id"] != first["id"] and again["role"] == "viewer"
    # The same address may be invited by another tenant at the same time.
    other, _ = new_owner(client, "other", "Other", "Other Co")
    client.call("invites.create", {"session": other.token, "email": address, "role": "member"})


def test_invites_create_409_for_an_accepted_member_and_revoke_404_after_accept(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, _ = new_owner(c)
        mate = new_account(c, "mate")
        invitation = invites.invite(c, owner.token, mate.email, "viewer")["invitation"]
        c.call("invites.accept", {"session": mate.token, "token": invites.token(mate.email)})
        expect_error(c, "invites.create", {"session": owner.token, "email": mate.email, "role": "member"},
                     409, "conflict", ALREADY_MEMBER_OR_INVITED)
        expect_error(c, "invites.revoke", {"session": owner.token, "invitationId": invitation["id"]}, 404, "not_found")
        assert c.call("invites.list", {"session": owner.token})["count"] == 0


# ---------------------------------------------------------------------------------------------
# Persistence
# ---------------------------------------------------------------------------------------------

def snapshot(c, token):
    return {
        "me": c.call("users.me", {"session": token})["tenantId"],
        "tenants": sorted(map(json.dumps, c.call("tenants.list", {"session": token})["tenants"])),
        "companies": c.call("companies.list", {"session": token}),
        "members": c.call("members.list", {"session": token}),
        "invites": c.call("invites.list", {"session": token}),
    }


@pytest.mark.parametrize("how", ["restart", "kill -9"])
def test_tenancy_survives_a_restart(pmd, how):
    with pmd.client() as c:
        alice, alpha = new_owner(c, "alice", "Alpha", "Alpha Co")
        beta = create_tenant(c, alice.token, "Beta", "Beta Co")
        c.call("companies.create", {"session": alice.token, "name": "Client A"})
        logo = c.call("companies.create", {"session": alice.token, "name": "Client B"})
        c.call("companies.update", {"session": alice.token, "companyId": logo["id"], "name": "Client B2",
                                    "logoUrl": "https://example.com/b.png"})
        c.call("companies.archive", {"session": alice.token, "companyId": beta["company"]["id"]})
        revoked = c.call("invites.create", {"session": alice.token, "email": unique_email("r"), "role": "admin"})
        c.call("invites.create", {"session": alice.token, "email": unique_email("p"), "role": "viewer"})
        c.call("invites.revoke", {"session": alice.token, "invitationId": revoked["invitation"]["id"]})
        bob, _ = new_owner(c, "bob", "Bobs", "Client A")
        c.call("tenants.switch", {"session": alice.token, "tenantId": alpha["tenant"]["id"]})
        c.call("tenants.switch", {"session": alice.token, "tenantId": beta["tenant"]["id"]})
        before = snapshot(c, alice.token), snapshot(c, bob.token)
        stats_before = c.call("system.stats")["tenants"]
    if how == "restart":
        pmd.restart()
    else:
        pmd.kill()
        pmd.start()
    with pmd.client() as c:
        assert (snapshot(c, alice.token), snapshot(c, bob.token)) == before
        assert c.call("system.stats")["tenants"] == stats_before == 3
        assert login(c, alice.email)[1]["tenantId"] == beta["tenant"]["id"]
        # Workspace names stay taken after the restart.
        assert c.call("companies.create", {"session": alice.token, "name": "Client A"})["workspaceName"] == "client-a-2"
        assert c.call("companies.create", {"session": alice.token, "name": "Client B2"})["workspaceName"] == "client-b2"
        assert create_tenant(c, bob.token, "Bobs 2", "Alpha Co")["company"]["workspaceName"] == "alpha-co-1"
        # The invitation rules still hold.
        pending = before[0]["invites"]["invitations"][0]
        expect_error(c, "invites.create", {"session": alice.token, "email": pending["email"], "role": "member"},
                     409, "conflict")
        expect_error(c, "invites.revoke", {"session": alice.token, "invitationId": revoked["invitation"]["id"]},
                     404, "not_found")
        expect_error(c, "members.setRole", {"session": alice.token, "userId": alice.user_id, "role": "admin"},
                     403, "forbidden", LAST_OWNER)


def test_memberships_and_removals_survive_a_crash(mail_pmd, invites):
    with mail_pmd.client() as c:
        owner, created = new_owner(c)
        kept = invites.add_member(c, owner.token, "admin", "kept")
        gone = invites.add_member(c, owner.token, "viewer", "gone")
        c.call("members.remove", {"session": owner.token, "userId": gone.user_id})
        before = snapshot(c, owner.token)
    mail_pmd.kill()
    mail_pmd.start()
    with mail_pmd.client() as c:
        assert snapshot(c, owner.token) == before
        assert set(members_by_email(c, owner.token)) == {owner.email, kept.email}
        assert c.call("users.me", {"session": kept.token})["tenantId"] == created["tenant"]["id"]
        assert c.call("users.me", {"session": gone.token})["tenantId"] is None
        assert c.call("tenants.list", {"session": kept.token})["tenants"][0]["role"] == "admin"


def test_pipelined_company_calls_keep_order_across_fast_and_slow_paths(client):
    """companies.* run in place on the connection's loop when sent alone and as tasks inside a
    batch or behind tenants.create; pipelined together they execute and answer in order."""
    owner = new_account(client, "pipeline")
    created = client.call("tenants.create", {"session": owner.token, "tenantName": "Pipe", "companyName": "One"})
    company_id = created["company"]["id"]

    def request(rid, method, **params):
        return {"jsonrpc": "2.0", "id": rid, "method": method, "params": {"session": owner.token, **params}}

    lines = [
        request(1, "companies.update", companyId=company_id, name="Two"),
        request(2, "tenants.create", tenantName="Other", companyName="Elsewhere"),  # becomes active
        request(3, "companies.list"),
        request(4, "tenants.switch", tenantId=created["tenant"]["id"]),
        [request(5, "companies.update", companyId=company_id, name="Three"), request(6, "companies.get", companyId=company_id)],
        request(7, "companies.get", companyId=company_id),
        request(8, "companies.archive", companyId=company_id),
        request(9, "companies.get", companyId=random_id()),
        request(10, "companies.list"),
    ]
    client.send_raw(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    replies = [client.read_line() for _ in range(9)]
    assert replies[0]["id"] == 1 and replies[0]["result"]["name"] == "Two"
    assert replies[1]["id"] == 2
    assert replies[2]["id"] == 3
    assert [c["name"] for c in replies[2]["result"]["companies"]] == ["Elsewhere"]
    assert replies[3]["id"] == 4
    assert [r["id"] for r in replies[4]] == [5, 6]
    assert [r["result"]["name"] for r in replies[4]] == ["Three", "Three"]
    assert replies[5]["id"] == 7 and replies[5]["result"]["name"] == "Three"
    assert replies[6]["id"] == 8 and replies[6]["result"]["status"] == "archived"
    assert replies[7]["id"] == 9 and replies[7]["error"]["code"] == 404
    assert replies[8]["id"] == 10
    assert [(c["name"], c["status"]) for c in replies[8]["result"]["companies"]] == [("Three", "archived")]
