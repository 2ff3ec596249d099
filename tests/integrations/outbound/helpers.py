"""A local webhook receiver (thread on 127.0.0.1, random port) and builders for outbound tests."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.outbound.services import webhooks
from tests.factories import IntegrationFactory, UseCaseFactory


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers queued ``(status, body)`` responses in order, then ``default``; records every request."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    responses: list[tuple[int, object]] = field(default_factory=list)
    default: tuple[int, object] = (200, {"received": True})
    delay_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def start_receiver() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, answer = receiver.responses.pop(0) if receiver.responses else receiver.default
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            data = json.dumps(answer).encode() if not isinstance(answer, bytes) else answer
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Receiver", "test")
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return receiver


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> None:
    """What a receiver does (written independently of the server's signing code)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(time.time() - int(timestamp)) <= tolerance, "timestamp outside tolerance"
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    signatures = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    assert any(hmac.compare_digest(expected.decode(), s) for s in signatures), "signature mismatch"


def make_webhook(organization, url: str, **fields):
    created = webhooks.create_webhook(organization, {"name": fields.pop("name", "ERP"), "url": url, **fields})
    return created.webhook, created.secret


def mapping(webhook_id, expression='{"contract": contract_number, "ack": _ack_id, "event": _event_name}', **extra):
    return {
        "id": str(uuid.uuid4()),
        "name": extra.pop("name", "ERP sync"),
        "jsonata_expression": expression,
        "enabled": extra.pop("enabled", True),
        "delivery": {"type": "webhook", "webhook_id": str(webhook_id), **extra.pop("delivery", {})},
        **extra,
    }


def outbound_use_case(organization, mappings, *, event="contract.created", enabled=True, integration=None,
                      name=None):
    integration = integration or IntegrationFactory(organization=organization)
    return UseCaseFactory(
        integration=integration, type="outbound", enabled=enabled, name=name or f"Outbound {event}",
        configuration={"event_catalog_event": event, "mappings": mappings},
    )


def publish(persona, event_name="contract.created", payload=None, **extra):
    body = {"event_name": event_name, "payload": payload if payload is not None else {"contract_number": "C-1"},
            **extra}
    return persona.client.post("/v1/event-catalog/events", body, format="json")


def run_retries() -> None:
    """Let time pass for the embedded default's schedule until no delivery is pending (its retries are
    attempted when due, not at once)."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations import embedded_schedule

    later = timezone.now()
    for _ in range(20):
        later += timedelta(days=1)
        if not embedded_schedule.run_due(now=later):
            return
