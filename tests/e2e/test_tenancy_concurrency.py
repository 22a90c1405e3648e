"""Tenancy under concurrency and crashes (SPEC §5.1, §5.3, §6.3; issue 4):

- concurrent tenants.create / companies.create with the same company name from many connections
  yield distinct workspace names, exactly the base and the smallest suffixes;
- kill -9 during concurrent tenant and company creation: after restart every acknowledged creation
  is present, no company without its tenant, no membership without both ends, no duplicate
  workspace name, counts consistent — over several rounds on the same data directory."""
import collections
import random
import threading
import time

import pytest

from conftest import unique_email
from pmdclient import Client
from tenancyhelpers import (
    ALREADY_MEMBER_OR_INVITED, Invites, create_tenant, login, mail_env, new_account,
    new_owner,
)

N = 20


def run_threads(count, target):
    """Runs target(i) on `count` threads released together; re-raises the first failure."""
    barrier = threading.Barrier(count)
    errors = []

    def body(i):
        try:
            barrier.wait(timeout=30)
            target(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]


def expected_slugs(base, count):
    return {base} | {f"{base}-{n}" for n in range(1, count)}


def test_concurrent_tenants_create_with_one_company_name(pmd):
    with pmd.client() as c:
        accounts = [new_account(c, "founder") for _ in range(N)]
    results = [None] * N

    def create(i):
        with pmd.client() as cc:
            results[i] = cc.call("tenants.create", {"session": accounts[i].token, "tenantName": f"Agency {i}",
                                                    "companyName": "Acme"})

    run_threads(N, create)
    assert {r["company"]["workspaceName"] for r in results} == expected_slugs("acme", N)
    assert len({r["tenant"]["id"] for r in results}) == N
    assert len({r["company"]["id"] for r in results}) == N
    with pmd.client() as c:
        for account, result in zip(accounts, results):
            tenant = result["tenant"]
            assert c.call("tenants.list", {"session": account.token}) == {
                "tenants": [{"id": tenant["id"], "name": tenant["name"], "role": "owner"}], "count": 1}
            assert c.call("users.me", {"session": account.token})["tenantId"] == tenant["id"]
            assert c.call("companies.list", {"session": account.token})["companies"] == [result["company"]]
        assert c.call("system.stats")["tenants"] == N


def test_concurrent_companies_create_in_one_tenant(pmd):
    with pmd.client() as c:
        owner, created = new_owner(c, "owner", "Agency", "Seed")
    results = [None] * N

    def create(i):
        with pmd.client() as cc:
            results[i] = cc.call("companies.create", {"session": owner.token, "name": "Globex"})

    run_threads(N, create)
    assert {r["workspaceName"] for r in results} == expected_slugs("globex", N)
    with pmd.client() as c:
        listed = c.call("companies.list", {"session": owner.token})
        assert listed["count"] == N + 1
        assert {co["id"] for co in listed["companies"]} == {r["id"] for r in results} | {created["company"]["id"]}
        assert all(co["tenantId"] == created["tenant"]["id"] for co in listed["companies"])


def test_concurrent_tenant_and_company_creation_share_the_slug_space(pmd):
    """Half the connections create tenants, half create companies in several tenants, all with
    the same name; some pipeline several requests."""
    with pmd.client() as c:
        founders = [new_account(c, "founder") for _ in range(N // 2)]
        owners = [new_owner(c, "owner", f"Agency {i}", f"Seed {i}")[0] for i in range(N // 2)]
    per_worker = 3
    results = []
    lock = threading.Lock()

    def create(i):
        with pmd.client() as cc:
            if i < N // 2:
                account = founders[i]
                for k in range(per_worker):
                    r = cc.call("tenants.create", {"session": account.token, "tenantName": f"T{i}-{k}",
                                                   "companyName": "Initech"})
                    with lock:
                        results.append(r["company"])
            else:
                account = owners[i - N // 2]
                for k in range(per_worker):
                    cc.send_line({"jsonrpc": "2.0", "id": k, "method": "companies.create",
                                  "params": {"session": account.token, "name": "  INITECH  "}})
                for k in range(per_worker):
                    response = cc.read_line()
                    assert response["id"] == k and "result" in response, response
                    with lock:
                        results.append(response["result"])

    run_threads(N, create)
    assert len(results) == N * per_worker
    assert {r["workspaceName"] for r in results} == expected_slugs("initech", N * per_worker)
    assert len({r["id"] for r in results}) == N * per_worker


def test_concurrent_invitations_of_one_address(pmd):
    with pmd.client() as c:
        owner, _ = new_owner(c)
    address = unique_email("wanted")
    responses = [None] * N

    def invite(i):
        with pmd.client() as cc:
            responses[i] = cc.request("invites.create", {"session": owner.token, "email": address if i % 2 else address.upper(),
                                                         "role": ("member", "viewer", "admin")[i % 3]})

    run_threads(N, invite)
    ok = [r for r in responses if "result" in r]
    assert len(ok) == 1, responses
    for r in responses:
        if "error" in r:
            assert (r["error"]["code"], r["error"]["message"]) == (409, ALREADY_MEMBER_OR_INVITED), r
    with pmd.client() as c:
        listed = c.call("invites.list", {"session": owner.token})
        assert listed["count"] == 1 and listed["invitations"][0]["id"] == ok[0]["result"]["invitation"]["id"]


@pytest.fixture
def mail_pmd(pmd_factory, smtp_server):
    return pmd_factory(env=mail_env(smtp_server))


def members_by_id(c, token):
    return {m["userId"]: m for m in c.call("members.list", {"session": token})["users"]}


@pytest.mark.parametrize("round_number", range(3))
def test_concurrent_owner_demotions_and_removals_keep_an_owner(mail_pmd, smtp_server, round_number):
    """Every owner steps down (or removes the next owner) at the same moment: each request alone
    is allowed, together they would leave no owner. The invariant must hold anyway."""
    invites = Invites(smtp_server)
    with mail_pmd.client() as c:
        root, _ = new_owner(c, "root")
        owners = [root] + [invites.add_member(c, root.token, "owner", f"co-owner{i}") for i in range(5)]
        assert sum(m["role"] == "owner" for m in members_by_id(c, root.token).values()) == len(owners)
    responses = [None] * len(owners)

    def act(i):
        with mail_pmd.client() as cc:
            me = owners[i]
            if (i + round_number) % 2:
                responses[i] = cc.request("members.setRole", {"session": me.token, "userId": me.user_id, "role": "admin"})
            else:
                other = owners[(i + 1) % len(owners)]
                responses[i] = cc.request("members.remove", {"session": me.token, "userId": other.user_id})

    run_threads(len(owners), act)
    with mail_pmd.client() as c:
        # Whoever is still an owner can read the final state.
        final = None
        for account in owners:
            response = c.request("members.list", {"session": account.token})
            if "result" in response:
                final = {m["userId"]: m for m in response["result"]["users"]}
                break
        assert final is not None, "somebody is still a member"
        remaining_owners = [uid for uid, m in final.items() if m["role"] == "owner"]
        assert remaining_owners, f"the tenant lost its last owner: {responses}"
        for r in responses:
            if "error" in r:
                assert r["error"]["code"] in (400, 403, 404), r  # 400: the actor was removed meanwhile
        mail_pmd.kill()
        mail_pmd.start()
    with mail_pmd.client() as c:
        token = owners[[o.user_id for o in owners].index(remaining_owners[0])].token
        assert members_by_id(c, token) == final, "the state survives a crash unchanged"


def test_concurrent_accepts_of_one_invitation(mail_pmd, smtp_server):
    invites = Invites(smtp_server)
    with mail_pmd.client() as c:
        owner, created = new_owner(c)
        mate = new_account(c, "mate")
        sessions = [mate.token] + [login(c, mate.email)[0] for _ in range(N - 1)]
        invites.invite(c, owner.token, mate.email, "member")
        token = invites.token(mate.email)
    responses = [None] * N

    def accept(i):
        with mail_pmd.client() as cc:
            responses[i] = cc.request("invites.accept", {"session": sessions[i], "token": token})

    run_threads(N, accept)
    assert sum("result" in r for r in responses) == 1, responses
    assert all(r["error"]["code"] == 404 for r in responses if "error" in r), responses
    with mail_pmd.client() as c:
        assert set(members_by_id(c, owner.token)) == {owner.user_id, mate.user_id}
        assert c.call("tenants.list", {"session": mate.token})["count"] == 1


# ---------------------------------------------------------------------------------------------
# kill -9 during concurrent creation
# ---------------------------------------------------------------------------------------------

NAMES = ["Acme", "ACME", "acme!", "Globex", "Initech", "Umbrella Corp"]


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.tenants = {}                              # tenant id -> (owner user id, tenant name)
        self.companies = {}                            # company id -> company (as acknowledged)
        self.inflight_tenants = {}                     # tenant name -> (owner user id, company name)
        self.inflight_companies = collections.Counter()  # (tenant id, company name) -> count
        self.acks = 0


def crash_worker(port, account, worker, stop, ledger, rng):
    tenant_id = None
    seq = 0
    try:
        with Client("127.0.0.1", port, timeout=15) as c:
            while not stop.is_set():
                seq += 1
                if tenant_id is None or rng.random() < 0.25:
                    tenant_name = f"T-{worker}-{seq}-{rng.randrange(10**6)}"
                    company_name = rng.choice(NAMES)
                    with ledger.lock:
                        ledger.inflight_tenants[tenant_name] = (account.user_id, company_name)
                    response = c.request("tenants.create", {"session": account.token, "tenantName": tenant_name,
                                                            "companyName": company_name})
                    if response is None:
                        return
                    assert "result" in response, response
                    result = response["result"]
                    tenant_id = result["tenant"]["id"]
                    with ledger.lock:
                        del ledger.inflight_tenants[tenant_name]
                        ledger.tenants[tenant_id] = (account.user_id, tenant_name)
                        ledger.companies[result["company"]["id"]] = result["company"]
                        ledger.acks += 1
                else:
                    names = [rng.choice(NAMES) if rng.random() < 0.8 else f"Solo {worker}-{seq}-{k}"
                             for k in range(rng.choice((1, 1, 4, 8)))]
                    with ledger.lock:
                        for name in names:
                            ledger.inflight_companies[(tenant_id, name)] += 1
                    for k, name in enumerate(names):
                        c.send_line({"jsonrpc": "2.0", "id": k, "method": "companies.create",
                                     "params": {"session": account.token, "name": name}})
                    for k, name in enumerate(names):
                        response = c.read_line()
                        if response is None:
                            return
                        assert response.get("id") == k and "result" in response, response
                        company = response["result"]
                        assert company["tenantId"] == tenant_id and company["name"] == name.strip()
                        with ledger.lock:
                            ledger.inflight_companies[(tenant_id, name)] -= 1
                            ledger.companies[company["id"]] = company
                            ledger.acks += 1
    except (OSError, ConnectionError):
        return


def slug_base(slug, bases):
    for base in bases:
        if slug == base or (slug.startswith(base + "-") and slug[len(base) + 1:].isdigit()):
            return base
    return None


def verify_after_restart(server, accounts, ledger, round_number):
    """Checks the invariants after a crash and folds survivors of in-flight requests into the
    ledger for the next round."""
    known_users = {a.user_id: a for a in accounts}
    seen_tenants = {}    # tenant id -> (owner id, name)
    seen_companies = {}  # company id -> company
    with server.client() as c:
        for account in accounts:
            # The worker's session survived; its active tenant is one of the user's tenants.
            me = c.call("users.me", {"session": account.token})
            listed = c.call("tenants.list", {"session": account.token})
            assert listed["count"] == len(listed["tenants"])
            ids = {t["id"] for t in listed["tenants"]}
            assert me["tenantId"] is None or me["tenantId"] in ids, \
                f"round {round_number}: active tenant {me['tenantId']} is not one of the user's tenants"
            verify_token, _ = login(c, account.email)
            for tenant in listed["tenants"]:
                assert tenant["role"] == "owner", tenant  # nobody was invited: only creators
                assert tenant["id"] not in seen_tenants, "a tenant has exactly one creator here"
                seen_tenants[tenant["id"]] = (account.user_id, tenant["name"])
                c.call("tenants.switch", {"session": verify_token, "tenantId": tenant["id"]})
                members = c.call("members.list", {"session": verify_token})
                # No membership without both ends: the only member is an existing user, the owner.
                assert [(m["userId"], m["role"]) for m in members["users"]] == [(account.user_id, "owner")], members
                assert members["count"] == 1
                companies = c.call("companies.list", {"session": verify_token})
                assert companies["count"] == len(companies["companies"]) >= 1, \
                    f"round {round_number}: tenant {tenant['name']} has no company (tenants.create is atomic)"
                for company in companies["companies"]:
                    assert company["tenantId"] == tenant["id"]
                    assert company["id"] not in seen_companies, "a company belongs to one tenant"
                    seen_companies[company["id"]] = company
                    assert c.call("companies.get", {"session": verify_token, "companyId": company["id"]}) == company
            c.call("auth.logout", {"session": verify_token})

        with ledger.lock:
            # Every acknowledged tenant and company is present, unchanged.
            for tenant_id, (owner_id, name) in ledger.tenants.items():
                assert seen_tenants.get(tenant_id) == (owner_id, name), \
                    f"round {round_number}: acknowledged tenant {name} lost"
            for company_id, company in ledger.companies.items():
                assert seen_companies.get(company_id) == company, \
                    f"round {round_number}: acknowledged company {company['name']} ({company['workspaceName']}) lost or changed"
            # Nothing appears that was never sent.
            survivors = 0
            for tenant_id, (owner_id, name) in seen_tenants.items():
                if tenant_id in ledger.tenants:
                    continue
                assert name in ledger.inflight_tenants, f"round {round_number}: tenant {name} was never sent"
                sent_owner, company_name = ledger.inflight_tenants.pop(name)
                assert sent_owner == owner_id
                firsts = [co for co in seen_companies.values() if co["tenantId"] == tenant_id]
                assert any(co["name"] == company_name.strip() for co in firsts), \
                    f"round {round_number}: surviving tenant {name} lacks its first company"
                ledger.tenants[tenant_id] = (owner_id, name)
                first = min((co for co in firsts if co["name"] == company_name.strip()), key=lambda co: co["createdAt"])
                ledger.companies[first["id"]] = first
                survivors += 1
            for company_id, company in seen_companies.items():
                if company_id in ledger.companies:
                    continue
                key = (company["tenantId"], company["name"])
                padded = next((k for k in ledger.inflight_companies
                               if k[0] == company["tenantId"] and k[1].strip() == company["name"]
                               and ledger.inflight_companies[k] > 0), None)
                assert padded is not None, f"round {round_number}: company {key} was never sent"
                ledger.inflight_companies[padded] -= 1
                ledger.companies[company_id] = company
                survivors += 1
            ledger.inflight_tenants.clear()
            ledger.inflight_companies.clear()

        # No duplicate workspace name anywhere.
        slugs = [co["workspaceName"] for co in seen_companies.values()]
        duplicates = [s for s, n in collections.Counter(slugs).items() if n > 1]
        assert not duplicates, f"round {round_number}: duplicate workspace names {duplicates}"
        # Counts agree.
        stats = c.call("system.stats")
        assert stats["tenants"] == len(seen_tenants), (stats["tenants"], len(seen_tenants))
        assert stats["users"] == len(accounts)

        # The slug index was rebuilt from what survived: the next "Acme" gets the smallest free name.
        taken = set(slugs)
        owner = accounts[round_number % len(accounts)]
        probe_token, _ = login(c, owner.email)
        created = create_tenant(c, probe_token, f"Probe {round_number}", "Acme")
        expected = "acme" if "acme" not in taken else next(
            f"acme-{n}" for n in range(1, len(taken) + 2) if f"acme-{n}" not in taken)
        assert created["company"]["workspaceName"] == expected
        with ledger.lock:
            ledger.tenants[created["tenant"]["id"]] = (owner.user_id, f"Probe {round_number}")
            ledger.companies[created["company"]["id"]] = created["company"]
        c.call("auth.logout", {"session": probe_token})
    return survivors


@pytest.mark.parametrize("seed", [1])
def test_kill_minus_nine_during_concurrent_tenant_and_company_creation(pmd_factory, seed):
    server = pmd_factory()
    rng = random.Random(seed)
    workers = 16
    with server.client() as c:
        accounts = [new_account(c, "crash") for _ in range(workers)]
    ledger = Ledger()
    for round_number in range(4):
        stop = threading.Event()
        acks_before = ledger.acks
        threads = [threading.Thread(target=crash_worker,
                                    args=(server.rpc_port, accounts[i], i, stop, ledger, random.Random(rng.random())))
                   for i in range(workers)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        # Let the load run until enough has been acknowledged, then crash at a random moment.
        while ledger.acks - acks_before < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.4))
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        assert ledger.acks > acks_before, f"round {round_number}: the load produced acknowledged creations"
        server.start()
        verify_after_restart(server, accounts, ledger, round_number)
    # After the last round, a graceful restart changes nothing either.
    server.restart()
    verify_after_restart(server, accounts, ledger, 99)


# ---------------------------------------------------------------------------------------------
# kill -9 during concurrent accepts and removals
# ---------------------------------------------------------------------------------------------

def test_kill_minus_nine_during_concurrent_accepts_and_removals(pmd_factory, smtp_server):
    """Invitees accept while the owner removes those who joined; crash. Afterwards every
    acknowledged accept/removal holds, every membership has both ends (members.list ⇔ the user's
    tenants.list), and an accept the crash cut off either happened completely (member, invitation
    used) or not at all (invitation still pending, and its token still works)."""
    server = pmd_factory(env=mail_env(smtp_server))
    invites = Invites(smtp_server)
    rng = random.Random(7)
    for round_number in range(3):
        with server.client() as c:
            owner, created = new_owner(c, "owner", f"Round {round_number}")
            tenant_id = created["tenant"]["id"]
            people = [new_account(c, "joiner") for _ in range(24)]
            for person in people:
                invites.invite(c, owner.token, person.email, rng.choice(("member", "viewer", "admin")))
            tokens = {p.user_id: invites.token(p.email) for p in people}

        lock = threading.Lock()
        accepted, accept_inflight = set(), set()
        removed, remove_inflight = set(), set()
        stop = threading.Event()

        def accepter(group):
            try:
                with Client("127.0.0.1", server.rpc_port, timeout=15) as cc:
                    for person in group:
                        if stop.is_set():
                            return
                        with lock:
                            accept_inflight.add(person.user_id)
                        response = cc.request("invites.accept", {"session": person.token, "token": tokens[person.user_id]})
                        if response is None:
                            return
                        assert "result" in response, response
                        with lock:
                            accept_inflight.discard(person.user_id)
                            accepted.add(person.user_id)
                        time.sleep(rng.uniform(0, 0.02))
            except (OSError, ConnectionError):
                return

        def remover():
            try:
                with Client("127.0.0.1", server.rpc_port, timeout=15) as cc:
                    while not stop.is_set():
                        with lock:
                            candidates = sorted(accepted - removed - remove_inflight)
                        if not candidates:
                            time.sleep(0.005)
                            continue
                        victim = candidates[0]
                        with lock:
                            remove_inflight.add(victim)
                        response = cc.request("members.remove", {"session": owner.token, "userId": victim})
                        if response is None:
                            return
                        assert "result" in response, response
                        with lock:
                            remove_inflight.discard(victim)
                            removed.add(victim)
            except (OSError, ConnectionError):
                return

        groups = [people[i::6] for i in range(6)]
        threads = [threading.Thread(target=accepter, args=(g,)) for g in groups] + [threading.Thread(target=remover)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(accepted) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert accepted, "some accepts were acknowledged before the crash"
        server.start()

        with server.client() as c:
            members = members_by_id(c, owner.token)
            assert members[owner.user_id]["role"] == "owner"
            pending = {i["email"] for i in c.call("invites.list", {"session": owner.token})["invitations"]}
            for person in people:
                uid = person.user_id
                is_member = uid in members
                tenants_of = {t["id"] for t in c.call("tenants.list", {"session": person.token})["tenants"]}
                assert is_member == (tenant_id in tenants_of), f"membership of {person.email} has one end only"
                active = c.call("users.me", {"session": person.token})["tenantId"]
                # This tenant is everyone's only one: active exactly while a member.
                assert (active == tenant_id) == is_member and active in (None, tenant_id), (person.email, active)
                if is_member:
                    assert person.email not in pending, "an accepted invitation is not pending"
                if uid in removed:
                    assert not is_member, f"acknowledged removal of {person.email} lost"
                elif uid in accepted and uid not in remove_inflight:
                    assert is_member, f"acknowledged accept of {person.email} lost"
                elif uid not in accepted and uid not in accept_inflight:
                    assert not is_member, f"{person.email} is a member without having accepted"
                if not is_member and uid not in accepted:
                    # The accept never happened: the invitation is still pending and its token works.
                    assert person.email in pending, f"{person.email}'s invitation vanished without a membership"
                    c.call("invites.accept", {"session": person.token, "token": tokens[uid]})
                    assert uid in members_by_id(c, owner.token)
            assert c.call("system.stats")["tenants"] == round_number + 1


def test_pipelined_requests_see_the_session_tenant_in_arrival_order(pmd):
    """One connection, many lines sent before reading: each request sees the active tenant the
    requests before it on that connection left behind (SPEC §4: executed in arrival order)."""
    with pmd.client() as c:
        owner, first = new_owner(c, "piper", "First", "First Co")
        lines = [
            ("tenants.create", {"tenantName": "Second", "companyName": "Second Co"}),
            ("companies.create", {"name": "In Second"}),
            ("companies.list", {}),
            ("tenants.switch", {"tenantId": first["tenant"]["id"]}),
            ("companies.create", {"name": "In First"}),
            ("companies.list", {}),
            ("users.me", {}),
        ]
        for i, (method, params) in enumerate(lines):
            c.send_line({"jsonrpc": "2.0", "id": i, "method": method, "params": {**params, "session": owner.token}})
        responses = [c.read_line() for _ in lines]
        assert [r["id"] for r in responses] == list(range(len(lines)))
        assert all("result" in r for r in responses), responses
        second_id = responses[0]["result"]["tenant"]["id"]
        assert responses[1]["result"]["tenantId"] == second_id
        assert [co["name"] for co in responses[2]["result"]["companies"]] == ["In Second", "Second Co"]
        assert responses[4]["result"]["tenantId"] == first["tenant"]["id"]
        assert [co["name"] for co in responses[5]["result"]["companies"]] == ["In First", "First Co"]
        assert responses[6]["result"]["tenantId"] == first["tenant"]["id"]
