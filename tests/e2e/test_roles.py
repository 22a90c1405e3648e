"""Roles end to end (SPEC §6.4): a role × action matrix covering every cell of the spec's table,
each cell checked for its answer AND its effect (a forbidden action answers 403 "Forbidden" and
changes nothing; an allowed one does what it says), plus the foreign-tenant column: every
tenant-scoped method given another tenant's ids answers 404 (never revealing that the id exists)
and leaks nothing of the other tenant.

Members other than the tenant's creator can only join through an invitation whose token is
mailed, so the cells build their members by inviting them and accepting with the token received
at a real SMTP server (tests/e2e/mailserver.py), then setting their role with members.setRole."""
import json
from types import SimpleNamespace

import pytest

from conftest import unique_email
from mailserver import MailServer
from pmdserver import PMD
from tenancyhelpers import (
    FORBIDDEN, MEMBER_KEYS, MEMBER_NOT_FOUND, NO_TENANT, Invites, expect_error, mail_env,
    new_account, new_owner, random_id,
)

ROLES = ("owner", "admin", "member", "viewer")
Y, N = True, False

# ---------------------------------------------------------------------------------------------
# The matrix: SPEC §6.4, one row per action, one column per role of the acting user.
#
#   | action                                                        | owner | admin | member | viewer |
#   | read companies, members (plans, subscription: billing issue)  |   ✓   |   ✓   |   ✓    |   ✓    |
#   | create/update/archive companies; invite or remove             |   ✓   |   ✓   |        |        |
#   |   members/viewers; revoke invites                             |       |       |        |        |
#   | invite, promote or remove owners and admins (billing: later)  |   ✓   |       |        |        |
#
# Rows marked "pmd" are pmd's reading where the spec's table is silent: invites.list is for
# owners and admins (it exposes addresses); member <-> viewer role changes are allowed to admins
# (they could remove and re-invite anyway); any role change touching owner or admin on either
# side is "promote/demote owners and admins", so owner-only.
# ---------------------------------------------------------------------------------------------
MATRIX = [
    # action                          owner admin member viewer
    ("read companies",                  Y,    Y,    Y,     Y),
    ("read members",                    Y,    Y,    Y,     Y),
    ("create company",                  Y,    Y,    N,     N),
    ("update company",                  Y,    Y,    N,     N),
    ("archive company",                 Y,    Y,    N,     N),
    ("invite member",                   Y,    Y,    N,     N),
    ("invite viewer",                   Y,    Y,    N,     N),
    ("invite admin",                    Y,    N,    N,     N),
    ("invite owner",                    Y,    N,    N,     N),
    ("remove member",                   Y,    Y,    N,     N),
    ("remove viewer",                   Y,    Y,    N,     N),
    ("remove admin",                    Y,    N,    N,     N),
    ("remove owner",                    Y,    N,    N,     N),
    ("promote member to admin",         Y,    N,    N,     N),
    ("promote member to owner",         Y,    N,    N,     N),
    ("promote viewer to admin",         Y,    N,    N,     N),
    ("demote admin to member",          Y,    N,    N,     N),
    ("demote owner to admin",           Y,    N,    N,     N),
    ("promote self to owner",           Y,    N,    N,     N),
    ("set member to viewer (pmd)",      Y,    Y,    N,     N),
    ("set viewer to member (pmd)",      Y,    Y,    N,     N),
    ("revoke member invite",            Y,    Y,    N,     N),
    ("revoke viewer invite",            Y,    Y,    N,     N),
    ("revoke admin invite",             Y,    Y,    N,     N),
    ("revoke owner invite",             Y,    Y,    N,     N),
    ("list invites (pmd)",              Y,    Y,    N,     N),
]


def test_the_matrix_covers_every_role_and_the_spec_rows():
    assert all(len(row) == 1 + len(ROLES) for row in MATRIX)
    names = [row[0] for row in MATRIX]
    assert len(set(names)) == len(names) == len(ACTIONS) and set(names) == set(ACTIONS)
    # The owner may do everything; reads are for everyone.
    assert all(row[1] for row in MATRIX)
    assert all(row[1:] == (Y, Y, Y, Y) for row in MATRIX if row[0].startswith("read"))
    # Members and viewers may change nothing.
    assert not any(row[3] or row[4] for row in MATRIX if not row[0].startswith("read"))


# ---------------------------------------------------------------------------------------------
# Actions: what each does, which target member it needs, and how its effect is checked.
# ---------------------------------------------------------------------------------------------

class Action:
    def __init__(self, target=None, invitation=None, run=None, check=None):
        self.target = target          # role of a second member the action acts on ("self": the actor)
        self.invitation = invitation  # role of a pending invitation the action acts on
        self.run = run                # ctx -> (method, params without session)
        self.check = check            # (ctx, allowed, result) -> None; result is None when denied


def members_of(ctx):
    return {m["userId"]: m for m in ctx.c.call("members.list", {"session": ctx.owner.token})["users"]}


def pending_ids(ctx):
    return {i["id"]: i for i in ctx.c.call("invites.list", {"session": ctx.owner.token})["invitations"]}


def company_now(ctx):
    return ctx.c.call("companies.get", {"session": ctx.owner.token, "companyId": ctx.company["id"]})


def check_read_companies(ctx, allowed, result):
    assert result["count"] == 1 and result["companies"][0]["id"] == ctx.company["id"]
    assert ctx.c.call("companies.get", {"session": ctx.actor.token, "companyId": ctx.company["id"]}) == company_now(ctx)


def check_read_members(ctx, allowed, result):
    assert result["count"] == len(result["users"])
    ids = {m["userId"] for m in result["users"]}
    assert {ctx.owner.user_id, ctx.actor.user_id} <= ids
    for entry in result["users"]:
        assert set(entry) == MEMBER_KEYS and entry["roles"] == [entry["role"]]
    assert {m["userId"]: m["role"] for m in result["users"]}[ctx.actor.user_id] == ctx.actor_role


def check_create_company(ctx, allowed, result):
    names = [co["name"] for co in ctx.c.call("companies.list", {"session": ctx.owner.token})["companies"]]
    assert ("Created By Actor" in names) == allowed
    if allowed:
        assert result["tenantId"] == ctx.tenant_id and result["status"] == "active"


def check_update_company(ctx, allowed, result):
    now = company_now(ctx)
    assert now["name"] == ("Renamed By Actor" if allowed else ctx.company["name"])
    if allowed:
        assert result == now


def check_archive_company(ctx, allowed, result):
    now = company_now(ctx)
    assert now["status"] == ("archived" if allowed else "active")
    if allowed:
        assert result == now


def invite_action(role):
    def run(ctx):
        ctx.invitee = unique_email(f"invited-{role}")
        return "invites.create", {"email": ctx.invitee, "role": role}

    def check(ctx, allowed, result):
        by_email = {i["email"]: i for i in pending_ids(ctx).values()}
        assert (ctx.invitee in by_email) == allowed
        if allowed:
            assert result["success"] is True and result["invitation"]["role"] == role
            assert by_email[ctx.invitee]["role"] == role
    return Action(run=run, check=check)


def remove_action(role):
    def run(ctx):
        return "members.remove", {"userId": ctx.target.user_id}

    def check(ctx, allowed, result):
        members = members_of(ctx)
        assert (ctx.target.user_id not in members) == allowed
        if allowed:
            assert result == {"removed": True}
            assert ctx.c.call("users.me", {"session": ctx.target.token})["tenantId"] is None
        else:
            assert members[ctx.target.user_id]["role"] == role
            assert ctx.c.call("users.me", {"session": ctx.target.token})["tenantId"] == ctx.tenant_id
    return Action(target=role, run=run, check=check)


def set_role_action(from_role, to_role, target=None):
    def run(ctx):
        return "members.setRole", {"userId": ctx.target.user_id, "role": to_role}

    def check(ctx, allowed, result):
        members = members_of(ctx)
        assert members[ctx.target.user_id]["role"] == (to_role if allowed else from_role)
        assert members[ctx.target.user_id]["roles"] == [to_role if allowed else from_role]
        if allowed:
            assert result == members[ctx.target.user_id]
            assert set(result) == MEMBER_KEYS
            listed = ctx.c.call("tenants.list", {"session": ctx.target.token})["tenants"]
            assert {t["id"]: t["role"] for t in listed}[ctx.tenant_id] == to_role
        # Owners are never lost.
        assert any(m["role"] == "owner" for m in members.values())
    return Action(target=target or from_role, run=run, check=check)


def revoke_action(role):
    def run(ctx):
        return "invites.revoke", {"invitationId": ctx.invitation["id"]}

    def check(ctx, allowed, result):
        assert (ctx.invitation["id"] not in pending_ids(ctx)) == allowed
        if allowed:
            assert result == {"revoked": True}
    return Action(invitation=role, run=run, check=check)


def check_list_invites(ctx, allowed, result):
    if allowed:
        assert result["count"] == 1 and result["invitations"][0]["id"] == ctx.invitation["id"]


def check_self_promotion(ctx, allowed, result):
    role = members_of(ctx)[ctx.actor.user_id]["role"]
    assert role == ("owner" if allowed else ctx.actor_role)


ACTIONS = {
    "read companies": Action(run=lambda ctx: ("companies.list", {}), check=check_read_companies),
    "read members": Action(run=lambda ctx: ("members.list", {}), check=check_read_members),
    "create company": Action(run=lambda ctx: ("companies.create", {"name": "Created By Actor"}),
                             check=check_create_company),
    "update company": Action(run=lambda ctx: ("companies.update", {"companyId": ctx.company["id"],
                                                                   "name": "Renamed By Actor"}),
                             check=check_update_company),
    "archive company": Action(run=lambda ctx: ("companies.archive", {"companyId": ctx.company["id"]}),
                              check=check_archive_company),
    "invite member": invite_action("member"),
    "invite viewer": invite_action("viewer"),
    "invite admin": invite_action("admin"),
    "invite owner": invite_action("owner"),
    "remove member": remove_action("member"),
    "remove viewer": remove_action("viewer"),
    "remove admin": remove_action("admin"),
    "remove owner": remove_action("owner"),
    "promote member to admin": set_role_action("member", "admin"),
    "promote member to owner": set_role_action("member", "owner"),
    "promote viewer to admin": set_role_action("viewer", "admin"),
    "demote admin to member": set_role_action("admin", "member"),
    "demote owner to admin": set_role_action("owner", "admin"),
    "promote self to owner": Action(target="self",
                                    run=lambda ctx: ("members.setRole", {"userId": ctx.actor.user_id, "role": "owner"}),
                                    check=check_self_promotion),
    "set member to viewer (pmd)": set_role_action("member", "viewer"),
    "set viewer to member (pmd)": set_role_action("viewer", "member"),
    "revoke member invite": revoke_action("member"),
    "revoke viewer invite": revoke_action("viewer"),
    "revoke admin invite": revoke_action("admin"),
    "revoke owner invite": revoke_action("owner"),
    "list invites (pmd)": Action(invitation="member", run=lambda ctx: ("invites.list", {}), check=check_list_invites),
}


def cells():
    for row in MATRIX:
        action = row[0]
        for role, allowed in zip(ROLES, row[1:]):
            yield pytest.param(role, action, allowed,
                               id=f"{role}-{action.replace(' ', '_')}-{'allowed' if allowed else 'forbidden'}")


# ---------------------------------------------------------------------------------------------
# One pmd (with the SMTP server) for the module; every cell builds its own tenant.
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    mail = MailServer().start()
    server = PMD(env=mail_env(mail)).start()
    yield SimpleNamespace(server=server, mail=mail, invites=Invites(mail))
    server.cleanup()
    mail.stop()


@pytest.fixture
def c(world):
    with world.server.client() as client:
        yield client


@pytest.mark.parametrize("role,action,allowed", list(cells()))
def test_role_matrix(world, c, role, action, allowed):
    spec = ACTIONS[action]
    owner, created = new_owner(c, "root", "Matrix Agency", "Matrix Client")
    ctx = SimpleNamespace(c=c, owner=owner, tenant_id=created["tenant"]["id"], company=created["company"],
                          actor_role=role, target=None, invitation=None)
    ctx.actor = owner if role == "owner" else world.invites.add_member(c, owner.token, role, f"actor-{role}")
    if spec.target == "self":
        ctx.target = ctx.actor
    elif spec.target:
        # Owners act on another owner, admins on another admin: never on themselves, and the
        # tenant keeps an owner either way, so a refusal here can only be the role check.
        ctx.target = world.invites.add_member(c, owner.token, spec.target, f"target-{spec.target}")
    if spec.invitation:
        ctx.invitation = c.call("invites.create", {"session": owner.token, "email": unique_email("pending"),
                                                   "role": spec.invitation})["invitation"]
    members_before = members_of(ctx)
    assert members_before[ctx.actor.user_id]["role"] == role

    method, params = spec.run(ctx)
    response = c.request(method, {**params, "session": ctx.actor.token})
    if allowed:
        assert "result" in response, f"{role} may {action}: {method} {params} → {response}"
        spec.check(ctx, True, response["result"])
    else:
        assert "error" in response, f"{role} may not {action}: {method} {params} → {response}"
        error = response["error"]
        assert (error["code"], error["data"]["kind"], error["message"]) == (403, "forbidden", FORBIDDEN), error
        spec.check(ctx, False, None)
        # Nothing else changed either.
        assert members_of(ctx) == members_before
    # The actor is still what they were (unless they promoted themselves).
    if action != "promote self to owner":
        assert members_of(ctx)[ctx.actor.user_id]["role"] == role


# ---------------------------------------------------------------------------------------------
# Roles beyond the single cells
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_grants_its_role(world, c, role):
    owner, created = new_owner(c)
    invitee = world.invites.add_member(c, owner.token, role, f"direct-{role}", via_set_role=False)
    entry = members_of(SimpleNamespace(c=c, owner=owner))[invitee.user_id]
    assert entry["role"] == role and entry["roles"] == [role]
    assert c.call("tenants.list", {"session": invitee.token})["tenants"] == [
        {"id": created["tenant"]["id"], "name": created["tenant"]["name"], "role": role}]


def test_role_changes_take_effect_for_the_next_request(world, c):
    owner, created = new_owner(c)
    mate = world.invites.add_member(c, owner.token, "viewer", "mate")
    expect_error(c, "companies.create", {"session": mate.token, "name": "Nope"}, 403, "forbidden", FORBIDDEN)
    c.call("members.setRole", {"session": owner.token, "userId": mate.user_id, "role": "admin"})
    assert c.call("companies.create", {"session": mate.token, "name": "Yes"})["name"] == "Yes"
    c.call("members.setRole", {"session": owner.token, "userId": mate.user_id, "role": "member"})
    expect_error(c, "companies.create", {"session": mate.token, "name": "Nope again"}, 403, "forbidden", FORBIDDEN)


def test_admins_cannot_change_their_own_privileged_role(world, c):
    owner, _ = new_owner(c)
    admin = world.invites.add_member(c, owner.token, "admin", "admin")
    for role in ("owner", "member", "viewer"):
        expect_error(c, "members.setRole", {"session": admin.token, "userId": admin.user_id, "role": role},
                     403, "forbidden", FORBIDDEN)
    expect_error(c, "members.remove", {"session": admin.token, "userId": admin.user_id}, 403, "forbidden",
                 "You cannot remove yourself from the tenant")
    expect_error(c, "members.setRole", {"session": admin.token, "userId": owner.user_id, "role": "admin"},
                 403, "forbidden", FORBIDDEN)


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_unprivileged_members_cannot_escalate(world, c, role):
    owner, _ = new_owner(c)
    user = world.invites.add_member(c, owner.token, role, role)
    for new_role in ROLES:
        if new_role == role:
            continue
        expect_error(c, "members.setRole", {"session": user.token, "userId": user.user_id, "role": new_role},
                     403, "forbidden", FORBIDDEN)
    expect_error(c, "invites.create", {"session": user.token, "email": unique_email("friend"), "role": "owner"},
                 403, "forbidden", FORBIDDEN)
    assert members_of(SimpleNamespace(c=c, owner=owner))[user.user_id]["role"] == role


# ---------------------------------------------------------------------------------------------
# The foreign-tenant column: another tenant's ids answer 404 and leak nothing.
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tenants(world):
    """Tenant A (the caller's, active) and tenant B (someone else's, with a second company, an
    archived one and a pending invitation)."""
    with world.server.client() as c:
        a, a_created = new_owner(c, "alpha", "Alpha Agency", "Alpha Client")
        b, b_created = new_owner(c, "bravo", "Bravo Secret Agency", "Bravo Secret Client")
        b_second = c.call("companies.create", {"session": b.token, "name": "Bravo Hidden Workspace"})
        b_archived = c.call("companies.create", {"session": b.token, "name": "Bravo Archived"})
        c.call("companies.archive", {"session": b.token, "companyId": b_archived["id"]})
        b_invite = c.call("invites.create", {"session": b.token, "email": unique_email("bravo-invitee"),
                                             "role": "admin"})["invitation"]
        b_state = snapshot_b(c, b.token)
        secrets = {b_created["tenant"]["id"], b_created["tenant"]["name"], b.user_id, b.email, b.name,
                   b_invite["id"], b_invite["email"]}
        for company in b_state["companies"]["companies"]:
            secrets |= {company["id"], company["name"], company["workspaceName"]}
        return SimpleNamespace(a=a, a_created=a_created, b=b, b_created=b_created, b_second=b_second,
                               b_archived=b_archived, b_invite=b_invite, b_state=b_state, secrets=secrets)


def snapshot_b(c, token):
    return {
        "companies": c.call("companies.list", {"session": token}),
        "members": c.call("members.list", {"session": token}),
        "invites": c.call("invites.list", {"session": token}),
        "tenants": c.call("tenants.list", {"session": token}),
    }


# (method, params given tenant B's ids, params with ids that exist nowhere, expected message)
FOREIGN = {
    "companies.get": (lambda t: {"companyId": t.b_created["company"]["id"]}, lambda: {"companyId": random_id()}),
    "companies.get (archived)": (lambda t: {"companyId": t.b_archived["id"]}, lambda: {"companyId": random_id()}),
    "companies.update": (lambda t: {"companyId": t.b_second["id"], "name": "Hijacked"},
                         lambda: {"companyId": random_id(), "name": "Hijacked"}),
    "companies.update (logo)": (lambda t: {"companyId": t.b_second["id"], "logoUrl": "https://evil.example/x.png"},
                                lambda: {"companyId": random_id(), "logoUrl": "https://evil.example/x.png"}),
    "companies.archive": (lambda t: {"companyId": t.b_second["id"]}, lambda: {"companyId": random_id()}),
    "members.remove": (lambda t: {"userId": t.b.user_id}, lambda: {"userId": random_id()}),
    "members.setRole": (lambda t: {"userId": t.b.user_id, "role": "viewer"},
                        lambda: {"userId": random_id(), "role": "viewer"}),
    "invites.revoke": (lambda t: {"invitationId": t.b_invite["id"]}, lambda: {"invitationId": random_id()}),
    "tenants.switch": (lambda t: {"tenantId": t.b_created["tenant"]["id"]}, lambda: {"tenantId": random_id()}),
}


def assert_leaks_nothing(payload, secrets):
    text = json.dumps(payload, ensure_ascii=False)
    leaked = sorted(s for s in secrets if s and s in text)
    assert not leaked, f"leaks {leaked}: {text}"


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_foreign_ids_answer_404_like_ids_that_do_not_exist(world, c, tenants, case):
    foreign_params, absent_params = FOREIGN[case]
    method = case.split(" ")[0]
    t = tenants
    foreign = c.request(method, {**foreign_params(t), "session": t.a.token})
    absent = c.request(method, {**absent_params(), "session": t.a.token})
    assert "error" in foreign, f"{method} with tenant B's id: {foreign}"
    error = foreign["error"]
    assert (error["code"], error["data"]["kind"]) == (404, "not_found"), error
    if method.startswith("members."):
        assert error["message"] == MEMBER_NOT_FOUND
    # Indistinguishable from an id that exists nowhere, and names nothing of tenant B.
    assert error == absent["error"], (error, absent["error"])
    assert_leaks_nothing(error, t.secrets)
    # Tenant B is untouched; A's session still has A active.
    assert snapshot_b(c, t.b.token) == t.b_state
    assert c.call("users.me", {"session": t.a.token})["tenantId"] == t.a_created["tenant"]["id"]


@pytest.mark.parametrize("method", ["companies.list", "members.list", "invites.list", "tenants.list"])
def test_own_lists_show_nothing_of_another_tenant(world, c, tenants, method):
    result = c.call(method, {"session": tenants.a.token})
    assert result["count"] == len(next(v for k, v in result.items() if k != "count"))
    assert_leaks_nothing(result, tenants.secrets)


def test_inviting_another_tenants_member_reveals_nothing(world, c, tenants):
    # B's owner is a stranger to A: inviting them is an ordinary invitation, not a 409 that
    # would reveal that the address belongs to a member of some tenant.
    sent = c.call("invites.create", {"session": tenants.a.token, "email": tenants.b.email, "role": "viewer"})
    assert sent["invitation"]["email"] == tenants.b.email
    c.call("invites.revoke", {"session": tenants.a.token, "invitationId": sent["invitation"]["id"]})
    assert snapshot_b(c, tenants.b.token) == tenants.b_state


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_foreign_ids_without_an_active_tenant_answer_400(world, c, tenants, case):
    """A signed-in user who belongs to no tenant: the tenant-scoped methods answer 400 before
    looking at any id; tenants.switch (not tenant-scoped) answers 404."""
    foreign_params, _ = FOREIGN[case]
    method = case.split(" ")[0]
    loner = new_account(c, "loner")
    params = {**foreign_params(tenants), "session": loner.token}
    if method == "tenants.switch":
        error = expect_error(c, method, params, 404, "not_found")
    else:
        error = expect_error(c, method, params, 400, "bad_request", NO_TENANT)
    assert_leaks_nothing(error, tenants.secrets)
    assert snapshot_b(c, tenants.b.token) == tenants.b_state


@pytest.mark.parametrize("case", sorted(c for c in FOREIGN if not c.startswith("tenants.switch")))
def test_foreign_ids_answer_404_even_to_a_member_of_both_tenants(world, c, case):
    """Isolation follows the session's ACTIVE tenant, not membership: an admin of both A and B,
    with A active, cannot reach B's objects by id."""
    a, a_created = new_owner(c, "alpha", "Alpha", "Alpha Co")
    b, b_created = new_owner(c, "bravo", "Bravo", "Bravo Co")
    both = world.invites.add_member(c, b.token, "admin", "both")
    world.invites.invite(c, a.token, both.email, "admin")
    c.call("invites.accept", {"session": both.token, "token": world.invites.token(both.email)})
    assert c.call("users.me", {"session": both.token})["tenantId"] == a_created["tenant"]["id"]
    b_second = c.call("companies.create", {"session": b.token, "name": "Bravo Second"})
    b_invite = c.call("invites.create", {"session": b.token, "email": unique_email("x"), "role": "member"})["invitation"]
    t = SimpleNamespace(b=b, b_created=b_created, b_second=b_second, b_archived=b_second, b_invite=b_invite)
    before = snapshot_b(c, b.token)
    foreign_params, _ = FOREIGN[case]
    method = case.split(" ")[0]
    error = expect_error(c, method, {**foreign_params(t), "session": both.token}, 404, "not_found")
    assert snapshot_b(c, b.token) == before
    assert_leaks_nothing(error, {b_created["tenant"]["name"], b_second["name"]})
