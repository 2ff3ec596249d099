"""Read-side queries for configuration objects, always scoped to one organisation.

Another organisation's object, an unknown id and a malformed id all look the same to the caller: NotFound.
"""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import QuerySet

from erpintegration.exceptions import ValidationFailed
from erpintegration.lib.ids import get_for_org
from erpintegration.lib.paging import keyset_page
from integrations.models import Integration, UseCase, UseCaseHistory, UseCaseType

HISTORY_PAGE_SIZE = 50


def integrations_of(org) -> QuerySet[Integration]:
    return Integration.objects.filter(organization=org)


def list_integrations(org) -> list[Integration]:
    """All integrations of ``org``, newest first."""
    return list(integrations_of(org).order_by("-created_at", "-id"))


def list_integrations_with_use_cases(org) -> list[Integration]:
    """Like :func:`list_integrations`, with ``use_cases`` prefetched in creation order."""
    return list(integrations_of(org).order_by("-created_at", "-id").prefetch_related(_use_cases_prefetch()))


def _use_cases_prefetch():
    from django.db.models import Prefetch

    return Prefetch("use_cases", queryset=UseCase.objects.order_by("created_at", "id"))


def get_integration(org, integration_id) -> Integration:
    return get_for_org(Integration.objects, org, integration_id, "Integration")


def get_integration_with_use_cases(org, integration_id) -> Integration:
    queryset = Integration.objects.prefetch_related(_use_cases_prefetch())
    return get_for_org(queryset, org, integration_id, "Integration")


def list_use_cases(org, integration_id, types: list[str] | None = None) -> list[UseCase]:
    """Use cases of one integration in creation order; NotFound when the integration is not ``org``'s.

    ``types`` keeps only those types (the ``?types=`` flag for tooling that predates v1.33, rule C6).
    """
    integration = get_integration(org, integration_id)
    queryset = UseCase.objects.filter(integration=integration)
    if types is not None:
        queryset = queryset.filter(type__in=types)
    return list(queryset.order_by("created_at", "id"))


def parse_types_flag(value: str | None) -> list[str] | None:
    """``"inbound,outbound"`` -> the list; None when absent; ValidationFailed naming ``types`` otherwise."""
    if value is None:
        return None
    types = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [t for t in types if t not in UseCaseType.values]
    if unknown or not types:
        raise ValidationFailed(f"types: must be a comma-separated list of {', '.join(UseCaseType.values)}")
    return types


def get_use_case(org, integration_id, use_case_id) -> UseCase:
    integration = get_integration(org, integration_id)
    queryset = UseCase.objects.filter(integration=integration).select_related("integration")
    return get_for_org(queryset, org, use_case_id, "Use case")


def get_history_entry(org, use_case: UseCase, history_id) -> UseCaseHistory:
    return get_for_org(UseCaseHistory.objects.filter(use_case=use_case), org, history_id, "History entry")


@dataclass(frozen=True)
class HistoryPage:
    entries: list[UseCaseHistory]
    next_cursor: str | None


def encode_history_cursor(entry: UseCaseHistory) -> str:
    raw = json.dumps([entry.history_created_at.isoformat(), str(entry.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")  # no padding: safe in a query string


def decode_history_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (history_created_at, id) position of an opaque cursor; ValidationFailed when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, entry_id = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        moment = datetime.fromisoformat(created)
        # in UTC here, so a crafted offset that leaves the datetime range is refused, not a 500 in the query
        position = moment.astimezone(UTC) if moment.tzinfo else None, uuid.UUID(entry_id)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeError, json.JSONDecodeError):
        raise ValidationFailed("cursor: is not a valid pagination cursor", code="INVALID_CURSOR")
    if position[0] is None:
        raise ValidationFailed("cursor: is not a valid pagination cursor", code="INVALID_CURSOR")
    return position


def use_case_history_page(
    org, use_case: UseCase, cursor: str | None = None, page_size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """One page of snapshots, newest first, keyset-paged on (history_created_at, id)."""
    queryset = UseCaseHistory.objects.filter(organization=org, use_case=use_case)
    position = decode_history_cursor(cursor) if cursor else None
    entries, has_more = keyset_page(queryset, ("history_created_at", "id"), position, page_size)
    return HistoryPage(entries, encode_history_cursor(entries[-1]) if has_more else None)


def list_secure_proxies(org) -> list[dict]:
    """``SecureProxySummary`` of every secure_proxy use case of ``org`` across integrations (dropdowns).

    One without a ``vpc_mode`` (created without configuration) routes nothing and is left out, because
    the summary requires a mode.
    """
    rows = UseCase.objects.filter(organization=org, type="secure_proxy").select_related("integration")
    summaries = []
    for use_case in rows.order_by("integration__name", "name", "id"):
        config = use_case.configuration if isinstance(use_case.configuration, dict) else {}
        if config.get("vpc_mode") not in ("static_ip", "secure_link"):
            continue
        summary = {"id": str(use_case.pk), "name": use_case.name, "enabled": use_case.enabled,
                   "vpc_mode": config["vpc_mode"], "integration_id": str(use_case.integration_id),
                   "integration_name": use_case.integration.name}
        if use_case.slug:
            summary["slug"] = use_case.slug
        for key in ("allowed_domains", "allowed_ips"):
            if isinstance(config.get(key), list):
                summary[key] = config[key]
        summaries.append(summary)
    return summaries
