"""`pmd --version` prints the version system.health reports, and exits 0."""
from pmdserver import run_cli


def test_version_flag_prints_the_health_version(client):
    version = client.call("system.health")["version"]
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == version
