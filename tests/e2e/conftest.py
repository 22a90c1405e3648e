import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from pmdserver import PMD  # noqa: E402

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
