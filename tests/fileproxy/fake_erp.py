"""A fake ERP document archive on 127.0.0.1 (random port, own thread) for the file-proxy tests.

- ``POST /oauth/token``: client-credentials and password grants (form-encoded), ``expires_in`` 3600.
- ``GET /api/documents/search?number=…``: JSON ``{fileId, name, mime}`` (bearer token required).
- ``GET /api/documents/<id>/content``: the raw bytes.
- ``GET|POST /health``: ``{"ok": true}`` without authentication.
- ``POST /api/documents/<id>/export``: JSON ``{data: base64, fileName}`` (body must be JSON).
Every request is recorded (method, path, headers, body) so tests can assert what was sent.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DOCUMENT = b"%PDF-1.7\n\x00\xff\xfe binary \xe2\x82\xac invoice 42\n%%EOF\n" * 50
CLIENT_ID, CLIENT_SECRET = "hub-client", "s3cr3t-client-value"
USERNAME, PASSWORD = "svc-user", "pa55-word-value"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


@dataclass
class FakeErp:
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    tokens_issued: int = 0
    fail_with: int | None = None  # answer every document call with this status
    document: bytes = DOCUMENT  # what /content serves

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/oauth/token"]

    def document_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/api/")]


def _handler(erp: FakeErp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: bytes, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload):
            self._send(status, json.dumps(payload).encode())

        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            record = Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()),
                              self.rfile.read(length) if length else b"")
            erp.requests.append(record)
            return record

        def _authorised(self, record: Recorded) -> bool:
            return record.headers.get("Authorization", "").startswith("Bearer tok-")

        def do_POST(self):
            record = self._record()
            if record.path == "/health":
                return self._json(200, {"ok": True})
            if record.path == "/oauth/token":
                form = {k: v[0] for k, v in parse_qs(record.body.decode()).items()}
                ok = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
                if form.get("grant_type") == "password":
                    ok = ok and form.get("username") == USERNAME and form.get("password") == PASSWORD
                elif form.get("grant_type") != "client_credentials":
                    ok = False
                if not ok:
                    return self._json(401, {"error": "invalid_client", "error_description": "nope"})
                erp.tokens_issued += 1
                return self._json(200, {"access_token": f"tok-{erp.tokens_issued}", "token_type": "Bearer",
                                        "expires_in": 3600})
            if record.path.startswith("/api/documents/") and record.path.endswith("/export"):
                if erp.fail_with:
                    return self._json(erp.fail_with, {"error": "boom"})
                if not self._authorised(record):
                    return self._json(401, {"error": "unauthorised"})
                try:
                    request = json.loads(record.body)
                except ValueError:
                    return self._json(400, {"error": "body must be JSON"})
                return self._json(200, {"data": base64.b64encode(DOCUMENT).decode(),
                                        "fileName": f"{request.get('name', 'export')}.pdf"})
            return self._json(404, {"error": "not found"})

        def do_GET(self):
            record = self._record()
            if record.path == "/health":
                return self._json(200, {"ok": True})
            if erp.fail_with and record.path.startswith("/api/"):
                return self._json(erp.fail_with, {"error": "boom"})
            if record.path.startswith("/api/") and not self._authorised(record):
                return self._json(401, {"error": "unauthorised"})
            if record.path == "/api/documents/search":
                number = (record.query.get("number") or [""])[0]
                return self._json(200, {"fileId": f"doc-{number}", "name": f"Invoice {number}.pdf",
                                        "mime": "application/pdf"})
            if record.path.startswith("/api/documents/") and record.path.endswith("/content"):
                return self._send(200, erp.document, "application/pdf")
            return self._json(404, {"error": "not found"})

    return Handler


def start_fake_erp() -> FakeErp:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    erp = FakeErp(server)
    server.RequestHandlerClass = _handler(erp)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return erp
