"""A minimal pmd client for the end-to-end tests: line-delimited JSON-RPC over a real TCP socket,
exactly as an app server or `nc` would talk to pmd."""
import itertools
import json
import socket
import ssl


class RPCError(Exception):
    def __init__(self, error):
        super().__init__(f"{error.get('code')} {error.get('message')} {error.get('data')}")
        self.error = error
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data") or {}
        self.kind = self.data.get("kind") if isinstance(self.data, dict) else None


class Client:
    def __init__(self, host, port, timeout=30.0, tls=None):
        """`tls`: an ssl.SSLContext for a pmd with PMD_TLS_CERT (the handshake happens here)."""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            try:
                self.sock = tls.wrap_socket(self.sock, server_hostname=host)
            except BaseException:
                self.sock.close()
                raise
        self.buffer = b""
        self.ids = itertools.count(1)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # raw line I/O
    def send_line(self, data):
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data + b"\n")

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def read_raw_line(self):
        """The next response line as raw bytes (without the newline); None when the server closed."""
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def read_line(self):
        """The next response line as parsed JSON; None when the server closed the connection."""
        line = self.read_raw_line()
        return None if line is None else json.loads(line)

    def is_closed(self, wait=5.0):
        """True when the server closes the connection (EOF or reset) within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            return True

    # JSON-RPC
    def request(self, method, params=None, id=None):
        """Sends one request and returns the whole response object."""
        msg = {"jsonrpc": "2.0", "method": method, "id": next(self.ids) if id is None else id}
        if params is not None:
            msg["params"] = params
        self.send_line(msg)
        return self.read_line()

    def call(self, method, params=None):
        """The result, or raises RPCError."""
        response = self.request(method, params)
        if response is None:
            raise ConnectionError("connection closed")
        if "error" in response:
            raise RPCError(response["error"])
        return response["result"]

    def error(self, method, params=None):
        """The error object of a call that must fail."""
        response = self.request(method, params)
        assert response is not None, "connection closed"
        assert "error" in response, f"expected an error, got {response}"
        return RPCError(response["error"])
