"""Row builders for monitoring tests (rows are written directly: the pipelines have their own tests)."""
from datetime import datetime
from itertools import count

from monitoring.models import OutboundMonitoringEvent
from monitoring.services import record_access_log, record_inbound_event

_seq = count()


def inbound(integration, at: datetime, status="success", **overrides):
    n = next(_seq)
    values = {
        "org_id": integration.organization_id,
        "event_id": f"evt-{n}",
        "integration_id": str(integration.id),
        "use_case_id": "0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f",
        "correlation_id": f"corr-{n}",
        "object_type": "CustomerChanged",
        "sync_type": "entity",
        "status": status,
        "received_at": at,
        "completed_at": at,
    }
    if status == "error":
        values.update(error_code="MAPPING_ERROR", error_message="bad", error_category="configuration")
    values.update(overrides)
    return record_inbound_event(**values)


def outbound(integration, at: datetime, status="succeeded", updated_at: datetime | None = None, **overrides):
    n = next(_seq)
    values = {
        "organization_id": integration.organization_id,
        "event_id": f"out-{n}",
        "event_name": "ContractCreated",
        "integration_id": str(integration.id),
        "status": status,
        "webhook_config_id": "wh-1",
        "url": "https://erp.example/hook",
    }
    values.update(overrides)
    row = OutboundMonitoringEvent.objects.create(**values)
    # created_at/updated_at are auto-managed: place the row in time afterwards.
    OutboundMonitoringEvent.objects.filter(pk=row.pk).update(created_at=at, updated_at=updated_at or at)
    row.refresh_from_db()
    return row


def access_log(organization, token_id: str, at: datetime, **overrides):
    n = next(_seq)
    values = {
        "org_id": organization.id,
        "token_id": token_id,
        "request_id": f"req-{n:06d}",
        "timestamp": at,
        "method": "POST",
        "path": "/v3/erp/updates/events",
        "status": 200,
        "response_latency_ms": 12,
        "response_length": 345,
        "service": "erp-integration",
        "environment": "self-hosted",
        "origin": "",
        "source_ip": "203.0.113.9",
    }
    values.update(overrides)
    return record_access_log(**values)
