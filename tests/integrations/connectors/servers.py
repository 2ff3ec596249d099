"""Local stand-ins for what connectors talk to, all on 127.0.0.1: an ERP API with an OAuth2 token endpoint,
and an HTTP CONNECT proxy (the static-IP egress). Every request is recorded so tests can assert what was sent.
"""
from __future__ import annotations

import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import parse_qs, unquote, urlsplit

CLIENT_ID = "hub-client"
CLIENT_SECRET = "s3cr3t-client-value-7781"
API_KEY = "k3y-value-4412"


class FakeErp(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ErpHandler)
        self.requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.issued = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):
        pass


class _ErpHandler(BaseHTTPRequestHandler):
    server: FakeErp

    def log_message(self, *args):
        pass

    def _json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if parts.path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            self.server.token_requests.append(form)
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return self._json(401, {"error": "invalid_client"})
            self.server.issued += 1
            return self._json(200, {"access_token": f"tok-{self.server.issued}", "expires_in": 3600})
        record = {"method": self.command, "path": parts.path, "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                  "headers": {k.lower(): v for k, v in self.headers.items()}, "body": raw.decode() or None}
        self.server.requests.append(record)
        auth = self.headers.get("Authorization", "")
        key = self.headers.get("X-API-Key") or self.headers.get("X-Erp-Key")
        if not (auth.startswith("Bearer tok-") or auth == "Bearer static-bearer-9931" or key == API_KEY):
            return self._json(401, {"error": "unauthorised"})
        if parts.path.startswith("/customers/"):
            customer = unquote(parts.path.rsplit("/", 1)[1])
            if customer == "missing":
                return self._json(404, {"error": "no such customer", "id": customer})
            return self._json(200, {"data": {"id": customer, "first": "Ada", "last": "Lovelace", "amount": 12.5,
                                             "status": "A", "items": [{"code": "X1", "q": "2"}]}})
        if parts.path == "/orders":
            return self._json(201, {"order_id": "o-77", "received": json.loads(raw or b"null")})
        if parts.path == "/fail":
            return self._json(500, {"error": "database down"})
        if parts.path == "/slow":
            time.sleep(1.5)
            return self._json(200, {"late": True})
        if parts.path == "/bytes":
            data = bytes(range(256))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        return self._json(200, {"ok": True, "path": parts.path, "method": self.command})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class ConnectProxy(ThreadingTCPServer):
    """An HTTP CONNECT proxy that records the targets it tunnelled to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.tunnels: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(StreamRequestHandler):
    server: ConnectProxy

    def handle(self):
        line = self.rfile.readline().decode("latin-1").strip()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        method, target, _ = line.split(" ", 2)
        if method != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection(("127.0.0.1" if host.endswith(".test") else host, int(port)))
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 5)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()


def start(server):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server


def stop(server):
    server.shutdown()
    server.server_close()


def fake_resolver(table: dict[str, list[str]], real):
    """A ``resolve_host`` replacement: names in ``table`` resolve to its addresses, others as usual."""
    def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return list(table[host])
        return real(host, port)
    return resolve
