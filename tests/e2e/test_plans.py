"""The plan catalog (SPEC §6.5): built in or from PMD_PLANS_FILE, upserted by name at start and by
`pmd plans seed`, with ids that never change."""
import json
import os
import tempfile

from pmdserver import run_cli

BUILT_IN = [
    ("Starter", "99.00", {"domains": 1, "sharedIPs": 1, "emailsPerMonth": 500, "support": "community"}),
    ("Professional", "299.00", {"domains": 5, "dedicatedIPs": 3, "emailsPerMonth": 50000, "support": "email"}),
    ("Enterprise", None, {"domains": -1, "dedicatedIPs": -1, "emailsPerMonth": -1, "support": "dedicated"}),
]
PLAN_KEYS = {"id", "name", "priceMonthly", "priceYearly", "features", "stripePriceIdMonthly", "stripePriceIdYearly"}


def write_plans(plans):
    fd, path = tempfile.mkstemp(prefix="pmd-plans-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(plans, f)
    return path


def test_built_in_catalog_is_public_ordered_and_keeps_its_ids(pmd_factory):
    server = pmd_factory(env={"STRIPE_PRICE_STARTER_MONTHLY": "price_s_m", "STRIPE_PRICE_PROFESSIONAL_YEARLY": "price_p_y"})
    with server.client() as client:
        result = client.call("plans.list")
    assert result["count"] == 3
    for plan, (name, monthly, features) in zip(result["plans"], BUILT_IN):
        assert set(plan) == PLAN_KEYS
        assert (plan["name"], plan["priceMonthly"], plan["features"]) == (name, monthly, features)
        assert list(plan["features"]) == list(features)  # catalog order
    assert result["plans"][0]["stripePriceIdMonthly"] == "price_s_m"
    assert result["plans"][1]["stripePriceIdYearly"] == "price_p_y"
    assert result["plans"][2]["stripePriceIdMonthly"] == "price_enterprise_monthly"
    server.restart()
    with server.client() as client:
        assert client.call("plans.list") == result


def test_plans_file_is_upserted_by_name_and_retired_plans_disappear(pmd_factory):
    first = write_plans({"plans": [
        {"name": "Solo", "priceMonthly": "19", "stripePriceIdMonthly": "price_solo", "features": {"domains": 1}},
        {"name": "Team", "priceMonthly": "49.5", "priceYearly": "495.00", "stripePriceIdMonthly": "price_team_m",
         "stripePriceIdYearly": "price_team_y", "features": {"domains": 3, "api": True}},
    ]})
    server = pmd_factory(env={"PMD_PLANS_FILE": first})
    with server.client() as client:
        plans = client.call("plans.list")["plans"]
    assert [(p["name"], p["priceMonthly"], p["priceYearly"]) for p in plans] == [
        ("Solo", "19.00", None), ("Team", "49.50", "495.00")]
    assert plans[1]["features"] == {"domains": 3, "api": True}
    ids = {p["name"]: p["id"] for p in plans}

    # Reordered, one renamed price, one plan dropped, one added: known names keep their ids.
    second = write_plans([
        {"name": "Agency", "priceMonthly": "199.00", "stripePriceIdMonthly": "price_agency"},
        {"name": "team", "priceMonthly": "59.00", "stripePriceIdMonthly": "price_team_m2"},
    ])
    server.terminate()
    server.env["PMD_PLANS_FILE"] = second
    server.start()
    with server.client() as client:
        plans = client.call("plans.list")["plans"]
    assert [p["name"] for p in plans] == ["Agency", "team"]
    assert plans[1]["id"] == ids["Team"] and plans[1]["priceMonthly"] == "59.00"
    assert ids["Solo"] not in {p["id"] for p in plans}
    for path in (first, second):
        os.unlink(path)


def test_plans_seed_is_idempotent_and_refuses_a_served_directory(pmd_factory, tmp_path):
    data = str(tmp_path / "data")
    env = {"PMD_DATA_DIR": data}
    first = run_cli("plans", "seed", env=env)
    assert first.returncode == 0, first.stderr
    assert "3 of 3 changed" in first.stdout
    again = run_cli("plans", "seed", env=env)
    assert again.returncode == 0 and "0 of 3 changed" in again.stdout
    ids = [line.split()[0] for line in first.stdout.splitlines()[:3]]
    assert [line.split()[0] for line in again.stdout.splitlines()[:3]] == ids

    server = pmd_factory(data_dir=data)
    with server.client() as client:
        assert [p["id"] for p in client.call("plans.list")["plans"]] == ids
    busy = run_cli("plans", "seed", env=env)
    assert busy.returncode == 1 and "in use by another pmd" in busy.stderr


def test_an_invalid_plans_file_stops_start_up_with_one_line_per_problem(tmp_path):
    path = write_plans({"plans": [
        {"name": "", "priceMonthly": 99, "features": {"domains": 1.5}},
        {"name": "Pro", "priceMonthly": "99.999", "stripePriceIdMonthly": "price_x", "color": "red"},
        {"name": "pro", "stripePriceIdYearly": "price_x"},
    ]})
    result = run_cli("check-config", env={"PMD_PLANS_FILE": path})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("pmd: config: PMD_PLANS_FILE: plans[") for line in lines), lines
    text = "\n".join(lines)
    for expected in ("plans[0].name", "plans[0].priceMonthly", "plans[0].features.domains", "plans[1].priceMonthly",
                     "plans[1].color: unknown field"):
        assert expected in text, text
    served = run_cli("serve", env={"PMD_PLANS_FILE": path, "PMD_DATA_DIR": str(tmp_path / "d")})
    assert served.returncode == 2 and served.stderr.strip().splitlines() == lines

    # Once each plan is well-formed, the rules across plans are checked too.
    dupes = write_plans([
        {"name": "Pro", "stripePriceIdMonthly": "price_x"}, {"name": "pro", "stripePriceIdYearly": "price_x"}])
    result = run_cli("check-config", env={"PMD_PLANS_FILE": dupes})
    assert result.returncode == 2
    assert "plans[1].name" in result.stderr and "already belongs to plans[0]" in result.stderr
    for p in (path, dupes):
        os.unlink(p)
