"""Billing end to end (SPEC §6.5): the real pmd against localstripe, behind a proxy that adds
Checkout and Billing Portal sessions and records what pmd asked of Stripe."""
import threading

from billinghelpers import deliver, event, owner_with_tenant, plans_by_name, subscription, wait_subscription
from conftest import PRICES, mail_env, wait_until
from tenancyhelpers import FORBIDDEN, MAIL_SETTINGS, Invites, expect_error, new_owner
from stripeserver import SECRET_KEY

APP = "http://app.penguinmails.test"


def checkout(client, token, plan="Starter", price=PRICES["starter_monthly"]):
    plan_id = plans_by_name(client)[plan]["id"]
    return client.call("billing.checkout", {"session": token, "planId": plan_id, "priceId": price})


def customer_of(stripe_servers, tenant_id):
    found = [c for c in stripe_servers.localstripe.customers() if c["metadata"].get("tenantId") == tenant_id]
    return found


def paid_subscription(billing_pmd, stripe_servers, client, token, tenant_id):
    """Checkout, payment in Stripe, and the checkout.session.completed webhook: the subscription."""
    session = checkout(client, token)
    completed, sub = stripe_servers.proxy.complete_checkout(session["sessionId"])
    status, body = deliver(billing_pmd, event("checkout.session.completed", completed))
    assert (status, body) == (200, {"received": True})
    return sub


def test_the_whole_flow_from_checkout_to_cancellation(billing_pmd, stripe_servers):
    localstripe, proxy = stripe_servers.localstripe, stripe_servers.proxy
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        assert subscription(client, token) is None
        plans = plans_by_name(client)

        session = checkout(client, token)
        assert session["sessionId"].startswith("cs_") and session["url"].startswith("https://")

        # What pmd asked of Stripe: a customer for the tenant, then the Checkout Session.
        (created,) = proxy.recorded("POST", "/v1/customers")
        assert created.form["metadata[tenantId]"] == tenant_id
        (sent,) = proxy.recorded("POST", "/v1/checkout/sessions")
        customer = customer_of(stripe_servers, tenant_id)[0]["id"]
        user_id = client.call("users.me", {"session": token})["id"]
        metadata = {"tenantId": tenant_id, "planId": plans["Starter"]["id"], "userId": user_id}
        assert sent.form == {
            "mode": "subscription", "customer": customer, "client_reference_id": tenant_id,
            "line_items[0][price]": PRICES["starter_monthly"], "line_items[0][quantity]": "1",
            **{f"metadata[{k}]": v for k, v in metadata.items()},
            **{f"subscription_data[metadata][{k}]": v for k, v in metadata.items()},
            "success_url": f"{APP}/subscription/success?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{APP}/subscription/cancel",
        }
        for request in (created, sent):
            assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
            assert request.headers["Stripe-Version"]
            assert request.headers["Idempotency-Key"]
            assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"

        # The customer pays: Stripe creates the subscription (localstripe announces it with
        # customer.subscription.created) and completes the session.
        completed, sub = proxy.complete_checkout(session["sessionId"])
        assert deliver(billing_pmd, event("checkout.session.completed", completed)) == (200, {"received": True})
        shown = wait_subscription(client, token, lambda s: s["status"] == "active", "active subscription")
        assert shown["planId"] == plans["Starter"]["id"] and shown["planName"] == "Starter"
        assert shown["features"] == {"domains": 1, "sharedIPs": 1, "emailsPerMonth": 500, "support": "community"}
        assert shown["cancelAtPeriodEnd"] is False
        assert shown["currentPeriodStart"].endswith("Z") and shown["currentPeriodEnd"] > shown["currentPeriodStart"]
        subscription_id = shown["id"]

        # A plan change in Stripe, announced by customer.subscription.updated.
        item = sub["items"]["data"][0]["id"]
        changed = localstripe.update_subscription(
            sub["id"], **{"items[0][id]": item, "items[0][plan]": PRICES["professional_monthly"]})
        assert deliver(billing_pmd, event("customer.subscription.updated", changed))[0] == 200
        shown = wait_subscription(client, token, lambda s: s["planName"] == "Professional", "plan change")
        assert shown["features"]["dedicatedIPs"] == 3 and shown["id"] == subscription_id

        # Cancel at period end.
        changed = localstripe.update_subscription(sub["id"], cancel_at_period_end="true")
        assert deliver(billing_pmd, event("customer.subscription.updated", changed))[0] == 200
        shown = wait_subscription(client, token, lambda s: s["cancelAtPeriodEnd"], "cancel at period end")
        assert shown["status"] == "active"

        # Deleted in Stripe: localstripe sends customer.subscription.deleted by itself.
        localstripe.cancel_subscription(sub["id"])
        shown = wait_subscription(client, token, lambda s: s["status"] == "canceled", "canceled subscription")
        assert shown["planName"] == "Professional"


def test_concurrent_checkouts_create_one_customer(billing_pmd, stripe_servers):
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        plan_id = plans_by_name(client)["Starter"]["id"]
    results, errors = [], []

    def run():
        try:
            with billing_pmd.client() as c:
                results.append(c.call(
                    "billing.checkout", {"session": token, "planId": plan_id, "priceId": PRICES["starter_monthly"]}))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 8
    assert len({r["sessionId"] for r in results}) == 8
    assert len(customer_of(stripe_servers, tenant_id)) == 1
    assert len(stripe_servers.proxy.recorded("POST", "/v1/customers")) == 1
    customers = {r.form["customer"] for r in stripe_servers.proxy.recorded("POST", "/v1/checkout/sessions")}
    assert len(customers) == 1


def test_a_stripe_500_is_retried_with_the_same_idempotency_key(billing_pmd, stripe_servers):
    proxy = stripe_servers.proxy
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        proxy.fail_next("POST", "/v1/customers", 500)
        proxy.fail_next("POST", "/v1/checkout/sessions", 503)
        session = checkout(client, token)
        assert session["sessionId"].startswith("cs_")

        attempts = proxy.recorded("POST", "/v1/customers")
        assert len(attempts) == 2
        assert {a.headers["Idempotency-Key"] for a in attempts} == {f"pmd-customer-{tenant_id}"}
        assert attempts[0].form == attempts[1].form
        attempts = proxy.recorded("POST", "/v1/checkout/sessions")
        assert len(attempts) == 2 and attempts[0].headers["Idempotency-Key"] == attempts[1].headers["Idempotency-Key"]
        assert len(customer_of(stripe_servers, tenant_id)) == 1
        assert client.call("system.health")["stripe"] == "ok"

        # A second checkout reuses the recorded customer and has a key of its own.
        proxy.clear()
        checkout(client, token)
        assert proxy.recorded("POST", "/v1/customers") == []
        (second,) = proxy.recorded("POST", "/v1/checkout/sessions")
        assert second.headers["Idempotency-Key"] != attempts[0].headers["Idempotency-Key"]


def test_a_lost_answer_is_retried_and_stripe_replays_the_same_customer(billing_pmd, stripe_servers):
    proxy = stripe_servers.proxy
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        proxy.lose_answer_next("POST", "/v1/customers")
        checkout(client, token)
        attempts = proxy.recorded("POST", "/v1/customers")
        assert len(attempts) == 2 and len({a.headers["Idempotency-Key"] for a in attempts}) == 1
        assert len(customer_of(stripe_servers, tenant_id)) == 1


def test_a_crash_between_stripes_answer_and_the_commit_makes_no_second_customer(billing_pmd, stripe_servers):
    localstripe, proxy = stripe_servers.localstripe, stripe_servers.proxy
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        plan_id = plans_by_name(client)["Starter"]["id"]
    release = proxy.hold_next("POST", "/v1/customers")
    caller = billing_pmd.client()
    caller.send_line({"jsonrpc": "2.0", "id": 1, "method": "billing.checkout",
                      "params": {"session": token, "planId": plan_id, "priceId": PRICES["starter_monthly"]}})
    wait_until(lambda: len(customer_of(stripe_servers, tenant_id)) == 1, what="the customer created at Stripe")
    billing_pmd.kill()  # Stripe has the customer; pmd never heard
    caller.close()
    release.set()
    billing_pmd.start()
    localstripe.webhooks_to(f"http://127.0.0.1:{billing_pmd.http_port}/api/webhooks/stripe")
    with billing_pmd.client() as client:
        checkout(client, token)
    keys = {a.headers["Idempotency-Key"] for a in proxy.recorded("POST", "/v1/customers")}
    assert keys == {f"pmd-customer-{tenant_id}"}
    assert len(customer_of(stripe_servers, tenant_id)) == 1


def test_stripe_down_answers_503_and_health_says_failing_until_it_is_back(billing_pmd, stripe_servers):
    proxy = stripe_servers.proxy
    with billing_pmd.client() as client:
        token, _ = owner_with_tenant(client)
        proxy.fail_next("POST", "/v1/customers", 500, count=100)
        error = client.error("billing.checkout", {
            "session": token, "planId": plans_by_name(client)["Starter"]["id"], "priceId": PRICES["starter_monthly"]})
        assert (error.code, error.kind, error.message) == (503, "unavailable", "Billing provider is unavailable")
        assert len(proxy.recorded("POST", "/v1/customers")) == 4  # the first attempt and three retries
        health = client.call("system.health")
        assert (health["status"], health["stripe"]) == ("degraded", "failing")
        assert billing_pmd.http("/api/health")[0] == 200

        proxy.clear()
        checkout(client, token)
        health = client.call("system.health")
        assert (health["status"], health["stripe"]) == ("ok", "ok")


def test_checkout_checks_plan_price_and_role_before_calling_stripe(billing_pmd, stripe_servers):
    with billing_pmd.client() as client:
        token, _ = owner_with_tenant(client)
        plans = plans_by_name(client)
        starter = plans["Starter"]["id"]
        cases = [
            ({"planId": "00000000-0000-4000-8000-000000000000", "priceId": PRICES["starter_monthly"]},
             404, "Plan not found"),
            ({"planId": "not-a-plan", "priceId": PRICES["starter_monthly"]}, 404, "Plan not found"),
            ({"planId": starter, "priceId": PRICES["professional_monthly"]}, 400, "Price ID does not match plan"),
        ]
        for params, code, message in cases:
            error = client.error("billing.checkout", {"session": token, **params})
            assert (error.code, error.message) == (code, message), params
        assert stripe_servers.proxy.recorded() == []

        # The yearly price sells the plan too.
        checkout(client, token, price=PRICES["starter_yearly"])

        # A price Stripe does not know: Stripe's refusal, as a 400 with its words.
        error = client.error("billing.checkout", {
            "session": token, "planId": plans["Enterprise"]["id"], "priceId": PRICES["enterprise_monthly"]})
        assert error.code == 400 and error.kind == "bad_request"
        assert "No such price" in error.message


def test_only_owners_use_checkout_portal_and_reconcile_while_all_members_read(
        billing_pmd_factory, mail_server, stripe_servers):
    server = billing_pmd_factory(**mail_env(mail_server, **MAIL_SETTINGS))
    invites = Invites(mail_server)
    with server.client() as client:
        owner, _ = new_owner(client)
        starter = plans_by_name(client)["Starter"]["id"]
        for role in ("admin", "member", "viewer"):
            account = invites.add_member(client, owner.token, role=role)
            assert client.call("billing.subscription", {"session": account.token}) == {"subscription": None}
            for method, extra in (
                    ("billing.checkout", {"planId": starter, "priceId": PRICES["starter_monthly"]}),
                    ("billing.portal", {}), ("billing.reconcile", {})):
                expect_error(client, method, {"session": account.token, **extra}, 403, "forbidden", FORBIDDEN)
    assert stripe_servers.proxy.recorded() == []


def test_portal_needs_a_customer_and_returns_to_the_billing_settings(billing_pmd, stripe_servers):
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        error = client.error("billing.portal", {"session": token})
        assert (error.code, error.message) == (404, "No Stripe customer found for this tenant")
        checkout(client, token)
        portal = client.call("billing.portal", {"session": token})
        assert portal["url"].startswith("https://billing.stripe.test/")
        (sent,) = stripe_servers.proxy.recorded("POST", "/v1/billing_portal/sessions")
        assert sent.form == {
            "customer": customer_of(stripe_servers, tenant_id)[0]["id"], "return_url": f"{APP}/settings/billing"}
        assert sent.headers["Idempotency-Key"]


def test_a_subscription_created_in_stripe_for_a_known_customer_is_taken_in(billing_pmd, stripe_servers):
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        checkout(client, token)  # creates the customer; the session is abandoned
        customer = customer_of(stripe_servers, tenant_id)[0]["id"]
        stripe_servers.localstripe.create_subscription(customer, PRICES["professional_yearly"])
        shown = wait_subscription(client, token, lambda s: s["status"] == "active", "subscription from the webhook")
        assert shown["planName"] == "Professional"


def test_events_for_customers_of_no_tenant_and_unknown_types_are_acknowledged(billing_pmd, stripe_servers):
    localstripe = stripe_servers.localstripe
    stranger = localstripe.request("POST", "/v1/customers", {"name": "stranger"})
    sub = localstripe.create_subscription(stranger["id"], PRICES["starter_monthly"])
    assert deliver(billing_pmd, event("customer.subscription.updated", sub)) == (200, {"received": True})
    assert deliver(billing_pmd, event("invoice.paid", {"id": "in_1", "object": "invoice"})) == (200, {"received": True})
    assert deliver(billing_pmd, event("customer.created", stranger)) == (200, {"received": True})


def test_reconciliation_repairs_what_changed_in_stripe_while_webhooks_were_off(billing_pmd, stripe_servers):
    localstripe = stripe_servers.localstripe
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        sub = paid_subscription(billing_pmd, stripe_servers, client, token, tenant_id)
        wait_subscription(client, token, lambda s: s["status"] == "active", "active subscription")

        localstripe.webhooks_off()
        item = sub["items"]["data"][0]["id"]
        localstripe.update_subscription(sub["id"], **{"items[0][id]": item, "items[0][plan]": PRICES["professional_monthly"]})
        localstripe.update_subscription(sub["id"], cancel_at_period_end="true")
        assert subscription(client, token)["planName"] == "Starter"

        repaired = client.call("billing.reconcile", {"session": token})["subscription"]
        assert repaired["planName"] == "Professional" and repaired["cancelAtPeriodEnd"] is True
        assert subscription(client, token) == repaired


def test_periodic_reconciliation_heals_a_missed_webhook(billing_pmd_factory, stripe_servers):
    localstripe = stripe_servers.localstripe
    server = billing_pmd_factory(webhooks=False, PMD_RECONCILE_INTERVAL="1s")
    with server.client() as client:
        token, tenant_id = owner_with_tenant(client)
        checkout(client, token)
        customer = customer_of(stripe_servers, tenant_id)[0]["id"]
        # Paid in Stripe, but no webhook ever reaches pmd.
        sub = localstripe.create_subscription(customer, PRICES["starter_monthly"])
        shown = wait_subscription(client, token, lambda s: s["status"] == "active", "reconciled subscription")
        assert shown["planName"] == "Starter"
        localstripe.cancel_subscription(sub["id"])
        wait_subscription(client, token, lambda s: s["status"] == "canceled", "reconciled cancellation")


def test_kill_9_keeps_subscriptions_and_the_customer_mapping(billing_pmd, stripe_servers):
    localstripe, proxy = stripe_servers.localstripe, stripe_servers.proxy
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        paid_subscription(billing_pmd, stripe_servers, client, token, tenant_id)
        before = wait_subscription(client, token, lambda s: s["status"] == "active", "active subscription")
    billing_pmd.kill()
    billing_pmd.start()
    localstripe.webhooks_to(f"http://127.0.0.1:{billing_pmd.http_port}/api/webhooks/stripe")
    proxy.clear()
    with billing_pmd.client() as client:
        assert subscription(client, token) == before
        assert client.call("billing.portal", {"session": token})["url"]
        checkout(client, token)
        assert proxy.recorded("POST", "/v1/customers") == []
        assert len(customer_of(stripe_servers, tenant_id)) == 1


def test_billing_webhook_rpc_is_the_same_handler(billing_pmd, stripe_servers):
    from billinghelpers import signed
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        checkout(client, token)
        customer = customer_of(stripe_servers, tenant_id)[0]["id"]
        stripe_servers.localstripe.webhooks_off()
        sub = stripe_servers.localstripe.create_subscription(customer, PRICES["starter_monthly"])
        payload = event("customer.subscription.created", sub)
        assert client.call("billing.webhook", {"payload": payload, "signature": signed(payload)}) == {"received": True}
        assert subscription(client, token)["planName"] == "Starter"
        error = client.error("billing.webhook", {"payload": payload, "signature": signed(payload, secret="whsec_wrong")})
        assert (error.code, error.kind) == (400, "bad_request")


def test_without_a_stripe_key_billing_answers_503_and_the_rest_works(pmd):
    with pmd.client() as client:
        token, _ = owner_with_tenant(client)
        for method, params in (
                ("billing.subscription", {}), ("billing.portal", {}), ("billing.reconcile", {}),
                ("billing.checkout", {"planId": plans_by_name(client)["Starter"]["id"], "priceId": "price_x"})):
            error = client.error(method, {"session": token, **params})
            assert (error.code, error.kind, error.message) == (503, "unavailable", "Billing is not configured"), method
        error = client.error("billing.webhook", {"payload": "{}", "signature": "t=1,v1=00"})
        assert error.code == 503
        assert len(client.call("plans.list")["plans"]) == 3
        health = client.call("system.health")
        assert (health["status"], health["stripe"]) == ("ok", "disabled")
    status, body, _ = pmd.http("/api/webhooks/stripe", method="POST", body=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    assert status == 503


def test_wal_tail_shows_billing_records_readably(billing_pmd, stripe_servers):
    import json as _json

    from pmdserver import run_cli
    with billing_pmd.client() as client:
        token, tenant_id = owner_with_tenant(client)
        paid_subscription(billing_pmd, stripe_servers, client, token, tenant_id)
        wait_subscription(client, token, lambda s: s["status"] == "active", "active subscription")
    tail = run_cli("wal", "tail", "-n", "50", env={"PMD_DATA_DIR": billing_pmd.data_dir})
    assert tail.returncode == 0, tail.stderr
    records = [_json.loads(line) for line in tail.stdout.splitlines()]
    kinds = [r["kind"] for r in records]
    assert "billing.customer_created" in kinds and "stripe.checkout.session.completed" in kinds
    customer = next(r for r in records if r["kind"] == "billing.customer_created")["ops"][0]
    assert customer["key"] == tenant_id and customer["row"]["stripeCustomerId"].startswith("cus_")
    completed = next(r for r in records if r["kind"] == "stripe.checkout.session.completed")
    tables = {op["table"]: op for op in completed["ops"]}
    assert tables["subscriptions"]["row"]["status"] == "active"
    assert tables["subscriptions"]["key"].startswith(tenant_id + "/sub_")
    assert tables["stripe_events"]["key"].startswith("evt_")
