"""Read-side helpers for the UI's list pages: one query per list, no N+1 (asserted in the view tests)."""
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Count, Max

from integrations.models import Integration, UseCase
from integrations.setup import selectors


@dataclass(frozen=True)
class IntegrationRow:
    integration: Integration
    use_case_count: int
    last_change: datetime | None
    last_event_at: datetime | None = None
    errors_24h: int = 0


def integration_rows(org) -> list[IntegrationRow]:
    integrations = selectors.integrations_of(org).annotate(
        use_case_total=Count("use_cases"), last_use_case_change=Max("use_cases__updated_at")
    ).order_by("-created_at", "-id")
    return [
        IntegrationRow(
            integration=integration,
            use_case_count=integration.use_case_total,
            last_change=max(filter(None, [integration.updated_at, integration.last_use_case_change])),
        )
        for integration in integrations
    ]


def with_event_stats(rows: list[IntegrationRow], stats: dict) -> list[IntegrationRow]:
    return [replace(row, **stats.get(row.integration.pk, {})) for row in rows]


def use_case_rows(org, integration: Integration) -> list[UseCase]:
    return selectors.list_use_cases(org, integration.pk)
