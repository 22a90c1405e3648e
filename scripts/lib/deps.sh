# Installs what pmd needs on a fresh Debian 12 machine with Swift 6.3 and Python 3.
# Sourced by scripts/run and scripts/test; every step is idempotent and skipped when done.

PMD_APT_PACKAGES=(liblmdb-dev libssl-dev libcurl4-openssl-dev libjemalloc-dev)

# Only the tests (and cluster mode) need etcd: they start their own /usr/bin/etcd on free loopback
# ports with a temporary data dir, so a system etcd service the package may start on 2379 is
# neither used nor in the way. etcd-client brings etcdctl, for tests and operators. The TLS tests
# make their certificates with the openssl CLI.
PMD_TEST_APT_PACKAGES=(etcd-server etcd-client openssl)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs PMD_APT_PACKAGES and any packages given as arguments that are not installed yet.
ensure_system_packages() {
    local missing=()
    for package in "${PMD_APT_PACKAGES[@]}" "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# A Python venv with the test servers (localstripe, aiosmtpd) and pytest, rebuilt only when
# tests/requirements.txt changes.
ensure_python_venv() {
    local venv=.venv-test
    local stamp="$venv/.requirements"
    if [ ! -x "$venv/bin/python" ]; then
        echo "==> creating $venv"
        python3 -m venv "$venv" || {
            ensure_system_packages python3-venv
            python3 -m venv "$venv"
        }
    fi
    if ! cmp -s tests/requirements.txt "$stamp"; then
        echo "==> installing tests/requirements.txt into $venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
        cp tests/requirements.txt "$stamp"
    fi
}
