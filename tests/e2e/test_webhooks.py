"""Stripe webhooks (SPEC §6.5, §7): signatures checked against Stripe's own library, duplicate and
out-of-order deliveries, and de-duplication that survives a restart."""
import json
import time

import pytest
import stripe

from billinghelpers import deliver, event, owner_with_tenant, plans_by_name, signed, subscription
from conftest import PRICES
from stripeserver import WEBHOOK_SECRET


def tenant_with_customer(billing_pmd, stripe_servers):
    """(client, token, customer id) of a tenant whose Stripe customer exists (an abandoned checkout)."""
    client = billing_pmd.client()
    token, tenant_id = owner_with_tenant(client)
    client.call("billing.checkout", {
        "session": token, "planId": plans_by_name(client)["Starter"]["id"], "priceId": PRICES["starter_monthly"]})
    customer = [c for c in stripe_servers.localstripe.customers() if c["metadata"].get("tenantId") == tenant_id][0]
    return client, token, customer["id"]


def subscription_object(sub, **changes):
    """A copy of a Stripe subscription object with some fields changed (what an event carries)."""
    obj = json.loads(json.dumps(sub))
    obj.update(changes)
    return obj


def with_price(sub, price):
    obj = subscription_object(sub)
    obj["items"]["data"][0]["plan"] = {"id": price, "object": "plan"}
    obj["plan"] = {"id": price, "object": "plan"}
    return obj


# --- signatures -----------------------------------------------------------------------------------

def stripe_accepts(payload, header, secret=WEBHOOK_SECRET):
    try:
        return stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=300)
    except stripe.SignatureVerificationError:
        return False


def test_signatures_agree_with_the_stripe_library(billing_pmd):
    payload = event("invoice.paid", {"id": "in_1", "object": "invoice"})
    now = int(time.time())
    good = signed(payload, timestamp=now)
    v1 = good.split("v1=")[1]
    cases = {
        "valid": good,
        "valid, older but within 300 s": signed(payload, timestamp=now - 200),
        "one of several v1 matches (secret roll)": f"t={now},v1={'0' * 64},v1={v1}",
        "v0 beside v1 is ignored": f"t={now},v1={v1},v0={'1' * 64}",
        "wrong secret": signed(payload, secret="whsec_someone_else", timestamp=now),
        "stale": signed(payload, timestamp=now - 301 - 5),
        "signature of another body": signed(payload + " ", timestamp=now),
        "timestamp changed": f"t={now - 1},v1={v1}",
        "no v1": f"t={now}",
        "only v0": f"t={now},v0={v1}",
        "no timestamp": f"v1={v1}",
        "garbage": "garbage",
        "truncated signature": f"t={now},v1={v1[:-2]}",
    }
    for name, header in cases.items():
        expected = stripe_accepts(payload, header)
        status, body = deliver(billing_pmd, payload, header)
        assert (status == 200) == bool(expected), (name, status, body)
        if status != 200:
            assert status == 400 and "error" in body, (name, body)
    assert stripe_accepts(payload, good)


def test_bad_and_stale_signatures_are_rejected_with_400(billing_pmd, stripe_servers):
    client, token, customer = tenant_with_customer(billing_pmd, stripe_servers)
    sub = stripe_servers.localstripe.create_subscription(customer, PRICES["starter_monthly"])
    stripe_servers.localstripe.webhooks_off()
    payload = event("customer.subscription.created", sub)
    now = int(time.time())
    rejected = {
        "missing header": False,
        "wrong secret": signed(payload, secret="whsec_wrong"),
        "stale": signed(payload, timestamp=now - 600),
        # Stricter than the Python library, like Stripe's other libraries: a timestamp far in
        # the future is no more trustworthy than an old one.
        "from the future": signed(payload, timestamp=now + 600),
        "signed for another body": signed(payload.replace('"active"', '"past_due"')),
    }
    for name, header in rejected.items():
        status, body = deliver(billing_pmd, payload, header)
        assert status == 400, (name, status, body)
    status, body = deliver(billing_pmd, payload, signed(payload, timestamp=now - 600))
    assert body == {"error": "Stripe signature timestamp is outside the tolerance"}
    assert subscription(client, token) is None  # nothing got through

    status, body = deliver(billing_pmd, "not json", signed("not json"))
    assert (status, body) == (400, {"error": "Malformed Stripe event"})
    assert deliver(billing_pmd, payload) == (200, {"received": True})
    assert subscription(client, token)["status"] == "active"
    client.close()


# --- duplicates and ordering ---------------------------------------------------------------------

def test_duplicate_events_are_handled_once_even_after_a_restart(billing_pmd, stripe_servers):
    client, token, customer = tenant_with_customer(billing_pmd, stripe_servers)
    stripe_servers.localstripe.webhooks_off()
    sub = stripe_servers.localstripe.create_subscription(customer, PRICES["starter_monthly"])
    t = int(time.time())
    first = event("customer.subscription.created", sub, created=t, event_id="evt_dup_" + sub["id"])
    assert deliver(billing_pmd, first) == (200, {"received": True})
    assert deliver(billing_pmd, first) == (200, {"received": True})
    # The same event id again, even with other content, is the same event: handled already.
    replay = event("customer.subscription.updated", with_price(sub, PRICES["professional_monthly"]), created=t + 5,
                   event_id="evt_dup_" + sub["id"])
    assert deliver(billing_pmd, replay) == (200, {"received": True})
    assert subscription(client, token)["planName"] == "Starter"

    client.close()
    billing_pmd.restart()
    with billing_pmd.client() as client:
        assert deliver(billing_pmd, replay) == (200, {"received": True})
        assert subscription(client, token)["planName"] == "Starter"
        assert subscription(client, token)["status"] == "active"


def test_an_older_event_never_overwrites_newer_state(billing_pmd, stripe_servers):
    client, token, customer = tenant_with_customer(billing_pmd, stripe_servers)
    stripe_servers.localstripe.webhooks_off()
    sub = stripe_servers.localstripe.create_subscription(customer, PRICES["starter_monthly"])
    t = int(time.time())
    newest = event("customer.subscription.updated", with_price(sub, PRICES["professional_monthly"]), created=t + 20)
    older = event("customer.subscription.updated", subscription_object(sub, cancel_at_period_end=True), created=t + 10)
    oldest = event("customer.subscription.created", sub, created=t)

    for payload in (newest, older, oldest):
        assert deliver(billing_pmd, payload) == (200, {"received": True})
    shown = subscription(client, token)
    assert shown["planName"] == "Professional" and shown["cancelAtPeriodEnd"] is False

    # A deletion is final, whatever arrives after it.
    deleted = event("customer.subscription.deleted", subscription_object(sub, status="canceled"), created=t + 30)
    late = event("customer.subscription.updated", subscription_object(sub, status="active"), created=t + 40)
    assert deliver(billing_pmd, deleted)[0] == 200
    assert deliver(billing_pmd, late)[0] == 200
    assert subscription(client, token)["status"] == "canceled"
    client.close()


def test_same_second_events_are_settled_by_reading_stripe(billing_pmd, stripe_servers):
    """Stripe's `created` has one-second resolution: two different states stamped with the same
    second cannot be ordered, so pmd asks Stripe for the subscription instead of guessing."""
    client, token, customer = tenant_with_customer(billing_pmd, stripe_servers)
    localstripe = stripe_servers.localstripe
    localstripe.webhooks_off()
    sub = localstripe.create_subscription(customer, PRICES["starter_monthly"])
    t = int(time.time()) + 100
    assert deliver(billing_pmd, event("customer.subscription.created", sub, created=t))[0] == 200
    item = sub["items"]["data"][0]["id"]
    localstripe.update_subscription(sub["id"], **{"items[0][id]": item, "items[0][plan]": PRICES["professional_monthly"]})
    stale_view = with_price(sub, PRICES["starter_yearly"])
    assert deliver(billing_pmd, event("customer.subscription.updated", stale_view, created=t))[0] == 200
    # Neither payload won: Stripe's current state did.
    assert subscription(client, token)["planName"] == "Professional"
    assert stripe_servers.proxy.recorded("GET", f"/v1/subscriptions/{sub['id']}")
    client.close()


def test_a_checkout_completed_event_for_another_tenant_is_not_believed(billing_pmd, stripe_servers):
    client, token, customer = tenant_with_customer(billing_pmd, stripe_servers)
    other_token, other_tenant = owner_with_tenant(client, name="Mallory")
    stripe_servers.localstripe.webhooks_off()
    sub = stripe_servers.localstripe.create_subscription(customer, PRICES["starter_monthly"])
    # The session claims the other tenant, but its customer is the first tenant's.
    session = {"id": "cs_x", "object": "checkout.session", "mode": "subscription", "customer": customer,
               "subscription": sub["id"], "metadata": {"tenantId": other_tenant}, "client_reference_id": other_tenant}
    assert deliver(billing_pmd, event("checkout.session.completed", session))[0] == 200
    assert subscription(client, other_token) is None
    assert subscription(client, token)["planName"] == "Starter"
    client.close()


@pytest.mark.parametrize("payload", [
    json.dumps({"id": "evt_1", "type": "customer.subscription.updated", "created": 1, "data": {"object": {"id": "sub"}}}),
    json.dumps({"type": "customer.subscription.updated"}),
    json.dumps([1, 2]),
])
def test_malformed_events_are_400(billing_pmd, payload):
    status, body = deliver(billing_pmd, payload)
    assert status == 400 and body["error"].startswith("Malformed Stripe event"), body
