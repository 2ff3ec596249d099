"""Send a signed test event to a webhook now (the webhook page's "Send test event"), without a catalog
event or a use case: the receiver's URL, signature check and answer can be tried before wiring mappings."""
from __future__ import annotations

import uuid

from django.utils import timezone

from integrations.models import Webhook
from integrations.outbound.services.delivery import SendResult, send_signed

TEST_EVENT_NAME = "webhook.test"


def test_payload(webhook: Webhook) -> dict:
    return {"_event_name": TEST_EVENT_NAME, "_event_time": timezone.now().isoformat().replace("+00:00", "Z"),
            "webhook_id": str(webhook.pk), "webhook_name": webhook.name, "test": True}


def send_test_event(webhook: Webhook) -> tuple[dict, SendResult]:
    """The payload sent and the outcome (status, response, headers as sent); nothing is recorded."""
    payload = test_payload(webhook)
    return payload, send_signed(webhook, f"test_{uuid.uuid4().hex}", payload)
