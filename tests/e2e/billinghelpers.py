"""Helpers for the billing tests: an owner with a tenant, signed webhook deliveries made with the
official `stripe` library, and waiting for a subscription state."""
import json
import secrets
import time

import stripe

from conftest import wait_until
from stripeserver import WEBHOOK_SECRET
from tenancyhelpers import new_owner


def owner_with_tenant(client, name="Acme"):
    """A fresh user who owns a fresh tenant: (session token, tenant id)."""
    account, created = new_owner(client, tenant_name=name, company_name=f"{name} Inc")
    return account.token, created["tenant"]["id"]


def plans_by_name(client):
    return {plan["name"]: plan for plan in client.call("plans.list")["plans"]}


def signed(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """The Stripe-Signature header Stripe would send, computed by Stripe's own library."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)


def event(type_, obj, created=None, event_id=None):
    """A webhook body as Stripe sends it."""
    return json.dumps({
        "id": event_id or "evt_" + secrets.token_hex(12), "object": "event", "type": type_,
        "created": int(time.time()) if created is None else created, "livemode": False,
        "api_version": "2024-06-20", "data": {"object": obj},
    })


def deliver(pmd, payload, signature=None):
    """POSTs a webhook to pmd's route: (status, parsed body)."""
    headers = {"Content-Type": "application/json"}
    signature = signed(payload) if signature is None else signature
    if signature is not False:
        headers["Stripe-Signature"] = signature
    status, body, _ = pmd.http("/api/webhooks/stripe", method="POST", body=payload.encode(), headers=headers)
    return status, json.loads(body) if body else None


def subscription(client, token):
    return client.call("billing.subscription", {"session": token})["subscription"]


def wait_subscription(client, token, predicate, what="subscription state", timeout=30):
    def check():
        sub = subscription(client, token)
        return sub if sub is not None and predicate(sub) else None
    return wait_until(check, timeout=timeout, what=what)
