"""The deliveries pages' queries: an integration's outbound monitoring rows (one per delivery), filtered and
keyset-paginated on (created_at, id), so a page costs the same with 10 rows or 10 million.

Unlike queryOutboundMonitoringEvents, the list is not limited to the event names the integration's use cases
listen to today: a renamed catalog event keeps its past deliveries visible here.
"""
import json
from dataclasses import dataclass
from datetime import datetime

from erpintegration.lib.ids import parse_uuid
from erpintegration.lib.paging import decode_position, encode_position, keyset_page
from integrations.models import CatalogEvent, OutboundDelivery, UseCase
from monitoring.models import OutboundMonitoringEvent, OutboundStatus

PAGE_SIZE = 50


@dataclass
class DeliveryFilters:
    status: str = ""
    webhook_id: str = ""
    event_name: str = ""


@dataclass(frozen=True)
class DeliveryPage:
    rows: list
    next_cursor: str | None


def encode_cursor(row) -> str:
    return encode_position(row.created_at, row.pk)


def decode_cursor(cursor: str):
    return decode_position(cursor, datetime.fromisoformat, int)


def _rows(org, integration):
    return OutboundMonitoringEvent.objects.filter(organization=org, integration_id=str(integration.pk))


def delivery_page(org, integration, filters: DeliveryFilters, cursor: str | None = None,
                  page_size: int = PAGE_SIZE) -> DeliveryPage:
    qs = _rows(org, integration).defer("payload")
    if filters.status in OutboundStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.webhook_id:
        qs = qs.filter(webhook_config_id=filters.webhook_id)
    if filters.event_name:
        qs = qs.filter(event_name=filters.event_name)
    position = decode_cursor(cursor) if cursor else None
    rows, has_more = keyset_page(qs, ("created_at", "id"), position, page_size)
    return DeliveryPage(rows, encode_cursor(rows[-1]) if has_more else None)


def get_row(org, integration, row_id) -> OutboundMonitoringEvent | None:
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        return None
    return _rows(org, integration).filter(pk=key).first()


def delivery_id_of(row) -> str | None:
    """The OutboundDelivery behind a monitoring row (what resend takes)."""
    value = (row.metadata or {}).get("delivery_id") or (row.execution_context or {}).get("delivery_id")
    return str(value) if value else None


def resend_refusal(row) -> str | None:
    """Why this delivery cannot be resent, or None. The service decides; this only explains a disabled button."""
    if row.status == OutboundStatus.PENDING:
        return "It is still pending; wait until it settles."
    if row.payload is None:
        return "Its mapping produced no payload; fix the mapping and publish the event again."
    if delivery_id_of(row) is None:
        return "It has no delivery record."
    return None


def pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)



def row_of_delivery(org, integration, delivery_id) -> OutboundMonitoringEvent | None:
    """The monitoring row of a delivery id (for "resend of" links); None once either is purged."""
    key = parse_uuid(delivery_id)
    if key is None:
        return None
    row_id = OutboundDelivery.objects.filter(organization=org, pk=key).values_list("monitoring_event_id", flat=True).first()
    return get_row(org, integration, row_id) if row_id else None


def recent_skips(org, integration, *, events: int = 200, limit: int = 20) -> list[dict]:
    """What this integration's outbound use cases did not deliver lately, and why (event filter false or
    failing, an unresolved file-proxy target): entries of the last ``events`` catalog events with skips."""
    names = {str(pk): name for pk, name in
             UseCase.objects.filter(integration=integration, type="outbound").values_list("pk", "name")}
    wanted = set(names)
    if not wanted:
        return []
    skips = []
    recent = CatalogEvent.objects.filter(organization=org).exclude(skipped=[]).order_by("-created_at", "-id")
    for event in recent.only("event_id", "event_name", "created_at", "skipped")[:events]:
        for entry in event.skipped or []:
            if isinstance(entry, dict) and entry.get("use_case_id") in wanted:
                skips.append({**entry, "event_id": event.event_id, "event_name": event.event_name,
                              "created_at": event.created_at,
                              "use_case_name": names[entry["use_case_id"]]})
                if len(skips) >= limit:
                    return skips
    return skips
