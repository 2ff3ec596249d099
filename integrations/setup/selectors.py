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

from django.db.models import Q, QuerySet

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import Integration, UseCase, UseCaseHistory, UseCaseType

HISTORY_PAGE_SIZE = 50


def parse_uuid(value) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one (callers turn that into a 404)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


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
    pk = parse_uuid(integration_id)
    integration = integrations_of(org).filter(pk=pk).first() if pk else None
    if integration is None:
        raise NotFound(f"Integration {integration_id} not found")
    return integration


def get_integration_with_use_cases(org, integration_id) -> Integration:
    pk = parse_uuid(integration_id)
    integration = (
        integrations_of(org).filter(pk=pk).prefetch_related(_use_cases_prefetch()).first() if pk else None
    )
    if integration is None:
        raise NotFound(f"Integration {integration_id} not found")
    return integration


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
    pk = parse_uuid(use_case_id)
    use_case = (
        UseCase.objects.filter(integration=integration, organization=org, pk=pk).select_related("integration").first()
        if pk
        else None
    )
    if use_case is None:
        raise NotFound(f"Use case {use_case_id} not found")
    return use_case


def get_history_entry(org, use_case: UseCase, history_id) -> UseCaseHistory:
    pk = parse_uuid(history_id)
    entry = UseCaseHistory.objects.filter(organization=org, use_case=use_case, pk=pk).first() if pk else None
    if entry is None:
        raise NotFound(f"History entry {history_id} not found")
    return entry


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
    queryset = UseCaseHistory.objects.filter(organization=org, use_case=use_case).order_by(
        "-history_created_at", "-id"
    )
    if cursor:
        created, entry_id = decode_history_cursor(cursor)
        queryset = queryset.filter(
            Q(history_created_at__lt=created) | Q(history_created_at=created, id__lt=entry_id)
        )
    rows = list(queryset[: page_size + 1])
    entries = rows[:page_size]
    next_cursor = encode_history_cursor(entries[-1]) if len(rows) > page_size else None
    return HistoryPage(entries, next_cursor)


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
