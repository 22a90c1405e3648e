"""Certificates for the TLS tests, made with the openssl CLI in a directory of their own: a CA, a
server certificate for 127.0.0.1 and localhost, a client certificate, a certificate from another
CA (which a pmd with PMD_TLS_CLIENT_CA must refuse), and one certificate per cluster node (for
127.0.0.1, usable as server and as client: nodes present theirs when they connect to each other)."""
import os
import ssl
import subprocess


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Certs:
    def __init__(self, directory):
        self.dir = directory
        self.ca = self._authority("ca", "pmd test CA")
        self.other_ca = self._authority("other-ca", "another CA")
        self.server, self.server_key = self.leaf("server", self.ca, san="IP:127.0.0.1,DNS:localhost", usage="serverAuth")
        self.client, self.client_key = self.leaf("client", self.ca, usage="clientAuth")
        self.stranger, self.stranger_key = self.leaf("stranger", self.other_ca, usage="clientAuth")

    def path(self, name):
        return os.path.join(self.dir, name)

    def _authority(self, name, subject):
        openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN={subject}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=self.dir)
        return self.path(f"{name}.pem")

    def leaf(self, name, authority, san=None, usage="serverAuth,clientAuth"):
        """(certificate, key) paths of a new certificate signed by `authority` (a CA's .pem)."""
        if os.path.exists(self.path(f"{name}.pem")):
            return self.path(f"{name}.pem"), self.path(f"{name}.key")
        extensions = [f"extendedKeyUsage={usage}", "basicConstraints=CA:FALSE"]
        if san:
            extensions.append(f"subjectAltName={san}")
        with open(self.path(f"{name}.ext"), "w") as f:
            f.write("\n".join(extensions) + "\n")
        openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=self.dir)
        authority_key = authority[: -len(".pem")] + ".key"
        openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", authority, "-CAkey", authority_key, "-CAcreateserial",
            "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext", cwd=self.dir)
        return self.path(f"{name}.pem"), self.path(f"{name}.key")

    def node(self, name):
        """A cluster node's certificate: for 127.0.0.1, server and client."""
        return self.leaf(f"node-{name}", self.ca, san="IP:127.0.0.1,DNS:localhost")

    def server_env(self, client_ca=False):
        env = {"PMD_TLS_CERT": self.server, "PMD_TLS_KEY": self.server_key}
        if client_ca:
            env["PMD_TLS_CLIENT_CA"] = self.ca
        return env

    def client_context(self, cert=None, key=None, trust=None):
        """A Python client's TLS: trusts the test CA (or `trust`), verifies the name, presents
        `cert` if given."""
        context = ssl.create_default_context(cafile=trust or self.ca)
        if cert:
            context.load_cert_chain(cert, key)
        return context
