"""Stripe for the tests: localstripe (a real, stateful fake Stripe) on loopback, and in front of it a
small real HTTP server that implements what localstripe lacks — Checkout Sessions and Billing
Portal sessions — records every request pmd makes, can inject failures, and proxies everything
else to localstripe."""
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_KEY = "sk_test_pmd_e2e"
WEBHOOK_SECRET = "whsec_pmd_e2e_secret"

# localstripe binds every interface and saves its state to a fixed /tmp file; this launcher runs
# its aiohttp app on loopback only, without the shared file, so parallel runs cannot collide.
_LAUNCHER = """
import sys
from aiohttp import web
from localstripe import server
from localstripe.resources import store
store.dump_to_disk = lambda: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=lambda *a: None)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStripe:
    """A localstripe process on a loopback port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self, timeout=30):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"localstripe exited with {self.proc.returncode}")
                time.sleep(0.05)
        raise RuntimeError("localstripe did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    # The test's own calls, as an app or the Stripe dashboard would make them.
    def request(self, method, path, params=None, json_body=None):
        data = None
        headers = {"Authorization": f"Bearer {SECRET_KEY}"}
        url = self.url + path
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif params is not None and method == "GET":
            url += "?" + urllib.parse.urlencode(params)
        elif params is not None:
            data = urllib.parse.urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                return json.loads(body) if body else None
        except urllib.error.HTTPError as error:
            raise AssertionError(f"localstripe {method} {path}: {error.code} {error.read()!r}")

    def webhooks_to(self, url, secret=WEBHOOK_SECRET):
        """Deliver every event to `url` (pmd's webhook route)."""
        self.request("POST", "/_config/webhooks/pmd", json_body={"url": url, "secret": secret})

    def webhooks_off(self):
        """Deliver nothing: only an event type that never happens passes the filter."""
        self.request(
            "POST", "/_config/webhooks/pmd",
            json_body={"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET, "events": ["pmd.never"]})

    def create_price(self, price_id, amount, interval="month", name="Plan"):
        """A price (localstripe calls prices plans; pmd reads either)."""
        return self.request("POST", "/v1/plans", {
            "id": price_id, "amount": amount, "currency": "usd", "interval": interval, "product[name]": name})

    def customers(self):
        return self.request("GET", "/v1/customers", {"limit": 100})["data"]

    def subscriptions(self, customer):
        return self.request("GET", "/v1/subscriptions", {"customer": customer, "status": "all"})["data"]

    def add_card(self, customer):
        """A card that pays, as a customer enters it in Checkout."""
        self.request("POST", f"/v1/customers/{customer}/sources", {
            "source[object]": "card", "source[number]": "4242424242424242", "source[exp_month]": "12",
            "source[exp_year]": "2034", "source[cvc]": "123"})

    def create_subscription(self, customer, price, metadata=None):
        if not self.request("GET", f"/v1/customers/{customer}")["default_source"]:
            self.add_card(customer)
        params = {"customer": customer, "items[0][plan]": price}
        for key, value in (metadata or {}).items():
            params[f"metadata[{key}]"] = value
        return self.request("POST", "/v1/subscriptions", params)

    def update_subscription(self, subscription_id, **params):
        return self.request("POST", f"/v1/subscriptions/{subscription_id}", params)

    def cancel_subscription(self, subscription_id):
        return self.request("DELETE", f"/v1/subscriptions/{subscription_id}")


class Recorded:
    def __init__(self, method, path, headers, form):
        self.method = method
        self.path = path
        self.headers = headers
        self.form = form  # flat {key: value} of the form body or query

    def __repr__(self):
        return f"{self.method} {self.path} {self.form}"


class StripeProxy:
    """What pmd's STRIPE_API_BASE points at: Checkout and portal sessions here, everything else
    forwarded to localstripe; every request recorded; failures injectable."""

    def __init__(self, localstripe):
        self.localstripe = localstripe
        self.requests = []
        self.sessions = {}
        self.failures = []  # [(method, path prefix, status, remaining)]
        self.lost = []  # [(method, path prefix, remaining)]: done at Stripe, answer replaced by a 500
        self.holds = []  # [(method, path prefix, threading.Event)]: done at Stripe, answer held back
        self.replies = {}  # Idempotency-Key -> (status, body): Stripe replays a repeated POST
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, method, path, status=500, count=1):
        """The next `count` requests to `method path…` get `status` without reaching Stripe."""
        with self.lock:
            self.failures.append([method, path, status, count])

    def lose_answer_next(self, method, path):
        """The next request to `method path…` is carried out by Stripe, but pmd gets a 500
        instead of the answer (the network dropped it)."""
        with self.lock:
            self.lost.append([method, path, 1])

    def hold_next(self, method, path):
        """The next request to `method path…` is carried out by Stripe, but its answer waits
        until the returned event is set (e.g. while the test kills pmd)."""
        release = threading.Event()
        with self.lock:
            self.holds.append([method, path, release])
        return release

    def recorded(self, method=None, path=None):
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and (path is None or r.path == path)]

    def clear(self):
        with self.lock:
            self.requests.clear()
            self.failures.clear()
            self.lost.clear()
            for hold in self.holds:
                hold[2].set()
            self.holds.clear()

    def complete_checkout(self, session_id):
        """What Stripe does when the customer pays: the subscription (with the session's
        subscription metadata) is created and the session points at it."""
        session = self.sessions[session_id]
        sub = self.localstripe.create_subscription(
            session["customer"], session["price"], metadata=session["subscription_metadata"])
        session["object"]["subscription"] = sub["id"]
        session["object"]["status"] = "complete"
        session["object"]["payment_status"] = "paid"
        return session["object"], sub

    # -- HTTP --

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(6))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                text = body.decode() if self.command == "POST" else parsed.query
                form = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
                with proxy.lock:
                    proxy.requests.append(Recorded(self.command, parsed.path, dict(self.headers.items()), form))
                    for failure in proxy.failures:
                        if failure[0] == self.command and parsed.path.startswith(failure[1]) and failure[3] > 0:
                            failure[3] -= 1
                            return self._reply(failure[2], {"error": {
                                "type": "api_error", "message": "Injected failure"}})
                if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                    return self._reply(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
                if self.command == "POST" and parsed.path == "/v1/checkout/sessions":
                    return self._checkout(form)
                if self.command == "POST" and parsed.path == "/v1/billing_portal/sessions":
                    return self._portal(form)
                self._forward(body, parsed.path)

            def _checkout(self, form):
                price = form.get("line_items[0][price]")
                try:
                    proxy.localstripe.request("GET", f"/v1/plans/{urllib.parse.quote(price or '-')}")
                except AssertionError:
                    return self._reply(400, {"error": {
                        "type": "invalid_request_error", "message": f"No such price: '{price}'", "param": "line_items[0][price]"}})
                session_id = "cs_test_" + secrets.token_hex(12)
                metadata = {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")}
                sub_prefix = "subscription_data[metadata]["
                sub_metadata = {k[len(sub_prefix):-1]: v for k, v in form.items() if k.startswith(sub_prefix)}
                obj = {
                    "id": session_id, "object": "checkout.session", "mode": form.get("mode"),
                    "customer": form.get("customer"), "client_reference_id": form.get("client_reference_id"),
                    "metadata": metadata, "subscription": None, "status": "open", "payment_status": "unpaid",
                    "success_url": form.get("success_url"), "cancel_url": form.get("cancel_url"),
                    "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                }
                with proxy.lock:
                    proxy.sessions[session_id] = {
                        "object": obj, "customer": form.get("customer"), "price": price,
                        "subscription_metadata": sub_metadata, "form": form}
                self._reply(200, obj)

            def _portal(self, form):
                session_id = "bps_" + secrets.token_hex(12)
                self._reply(200, {
                    "id": session_id, "object": "billing_portal.session", "customer": form.get("customer"),
                    "return_url": form.get("return_url"), "url": f"https://billing.stripe.test/p/session/{session_id}"})

            def _forward(self, body, path):
                # Like Stripe, a POST repeated with the same Idempotency-Key gets the first
                # answer again instead of being carried out twice (localstripe has no keys).
                key = self.headers.get("Idempotency-Key") if self.command == "POST" else None
                with proxy.lock:
                    replay = proxy.replies.get(key) if key else None
                if replay:
                    return self._reply(*replay)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("authorization", "content-type", "stripe-version")}
                request = urllib.request.Request(
                    proxy.localstripe.url + self.path, data=body if self.command == "POST" else None,
                    method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, data = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, data = error.code, error.read()
                with proxy.lock:
                    if key and 200 <= status < 300:
                        proxy.replies[key] = (status, data)
                    hold = next((h for h in proxy.holds if h[0] == self.command and path.startswith(h[1])), None)
                    if hold:
                        proxy.holds.remove(hold)
                    lost = next((x for x in proxy.lost if x[0] == self.command and path.startswith(x[1]) and x[2] > 0), None)
                    if lost:
                        lost[2] -= 1
                if hold:
                    hold[2].wait(60)
                if lost:
                    return self._reply(500, {"error": {"type": "api_error", "message": "Injected lost answer"}})
                return self._reply(status, data)

            do_GET = _handle
            do_POST = _handle
            do_DELETE = _handle

        return Handler


def stripe_env(proxy, prices, **extra):
    """pmd's environment for billing against the proxy, with the built-in catalog's price ids."""
    env = {
        "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": proxy.url,
        "PMD_APP_URL": "http://app.penguinmails.test",
    }
    for name, price_id in prices.items():
        env[f"STRIPE_PRICE_{name.upper()}"] = price_id
    env.update(extra)
    return env
