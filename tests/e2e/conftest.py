import itertools
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from pmdserver import PMD  # noqa: E402
from mailserver import MailServer  # noqa: E402

APP_URL = "http://app.penguinmails.test"

_emails = itertools.count(1)


@pytest.fixture
def pmd_factory():
    """Starts pmd processes; every one is killed and its directory removed after the test."""
    started = []

    def make(**kwargs):
        server = PMD(**kwargs)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.cleanup()


@pytest.fixture
def pmd(pmd_factory):
    return pmd_factory()


@pytest.fixture
def client(pmd):
    with pmd.client() as c:
        yield c


def unique_email(prefix="user"):
    return f"{prefix}{next(_emails)}-{os.getpid()}@example.com"


@pytest.fixture
def signed_in(client):
    """(client, token, email, password) for a fresh account."""
    email = unique_email()
    password = "correct horse battery"
    client.call("auth.signup", {"email": email, "password": password, "name": "Test User"})
    login = client.call("auth.login", {"email": email, "password": password})
    return client, login["session"]["token"], email, password


@pytest.fixture
def mail_server_factory():
    """SMTP servers (mailserver.MailServer) on loopback, not started: `make()` for a free port or
    `make(port)` (`make(offer_auth=True)`: see MailServer); `make().start()`, or start one later
    (and stop and start it again) to play a relay that is down and comes back. Every one is
    stopped after the test."""
    made = []

    def make(port=None, **options):
        server = MailServer(port=port, **options)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def mail_server(mail_server_factory):
    """A running SMTP server on a free port: start pmd with `mail_env(mail_server)` and read what
    arrived with `mail_server.wait_for(to=…)` / `mail_server.wait_for_messages(count)`."""
    return mail_server_factory().start()


def mail_env(server, **extra):
    """pmd's environment for sending mail to `server`; `extra` adds or overrides variables."""
    env = {"PMD_SMTP_URL": server.url, "PMD_APP_URL": APP_URL, "PMD_MAIL_FROM": "PenguinMails <no-reply@penguinmails.test>"}
    env.update(extra)
    return env


@pytest.fixture
def mail_settings():
    """Extra environment for `mail_pmd` (on top of `mail_env`); a test module overrides this
    fixture to give its pmd another link base or sender."""
    return {}


@pytest.fixture
def mail_pmd(pmd_factory, mail_server, mail_settings):
    """pmd delivering its mail to the running `mail_server`."""
    return pmd_factory(env=mail_env(mail_server, **mail_settings))


def signup(client, password="correct horse battery", prefix="user"):
    """A fresh account: (email, password)."""
    email = unique_email(prefix)
    client.call("auth.signup", {"email": email, "password": password, "name": "Test User"})
    return email, password


def login(client, email, password):
    return client.call("auth.login", {"email": email, "password": password})["session"]["token"]


def wait_until(condition, timeout=30.0, interval=0.1, what="condition"):
    """Polls `condition` until it returns something truthy, which is returned."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")



# --- Stripe ---------------------------------------------------------------------------------------

PRICES = {
    "starter_monthly": "price_e2e_starter_monthly", "starter_yearly": "price_e2e_starter_yearly",
    "professional_monthly": "price_e2e_professional_monthly",
    "professional_yearly": "price_e2e_professional_yearly",
    # Deliberately never created in Stripe: checkout with it shows how Stripe's refusals surface.
    "enterprise_monthly": "price_e2e_enterprise_missing", "enterprise_yearly": "price_e2e_enterprise_yearly_missing",
}


class StripeBackend:
    def __init__(self, localstripe, proxy):
        self.localstripe = localstripe
        self.proxy = proxy
        self.prices = PRICES


@pytest.fixture(scope="session")
def stripe_backend():
    """localstripe with the catalog's prices, behind the recording proxy; one per test run."""
    from stripeserver import LocalStripe, StripeProxy
    localstripe = LocalStripe().start()
    proxy = StripeProxy(localstripe).start()
    for key, amount, interval in (
            ("starter_monthly", 9900, "month"), ("starter_yearly", 99000, "year"),
            ("professional_monthly", 29900, "month"), ("professional_yearly", 299000, "year")):
        localstripe.create_price(PRICES[key], amount, interval=interval, name=key)
    yield StripeBackend(localstripe, proxy)
    proxy.stop()
    localstripe.stop()


@pytest.fixture
def stripe_servers(stripe_backend):
    """The backend with the proxy's records and injected failures cleared for this test."""
    stripe_backend.proxy.clear()
    yield stripe_backend
    stripe_backend.localstripe.webhooks_off()


@pytest.fixture
def billing_pmd_factory(pmd_factory, stripe_servers):
    """Starts pmd with billing against the proxy, and points localstripe's webhooks at it."""
    from stripeserver import stripe_env

    def make(webhooks=True, **env):
        server = pmd_factory(env=stripe_env(stripe_servers.proxy, PRICES, **env))
        if webhooks:
            stripe_servers.localstripe.webhooks_to(f"http://127.0.0.1:{server.http_port}/api/webhooks/stripe")
        return server

    return make


@pytest.fixture
def billing_pmd(billing_pmd_factory):
    return billing_pmd_factory()


# --- etcd ---------------------------------------------------------------------------------------

@pytest.fixture
def etcd():
    """A running etcd (etcdserver.Etcd) of this test's own on free loopback ports: `etcd.url` for
    PMD_ETCD_ENDPOINTS; kill, restart, pause it to play etcd failing. Removed after the test."""
    from etcdserver import Etcd
    server = Etcd()
    try:
        yield server.start()
    finally:
        server.cleanup()


# --- TLS ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def tls_certs(tmp_path_factory):
    """Certificates made once per session with the openssl CLI (tlscerts.Certs): a CA, a server
    certificate for 127.0.0.1 and localhost, a client certificate, one from another CA."""
    from tlscerts import Certs
    return Certs(str(tmp_path_factory.mktemp("tls")))
