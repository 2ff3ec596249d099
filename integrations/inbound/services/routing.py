"""Routing an event to the integration's inbound use cases (docs/inbound.md, accepting: routing)."""
from __future__ import annotations

from integrations.inbound.services.validation import EventInvalid, ValidEvent
from integrations.models import Integration, UseCase, UseCaseType


def inbound_use_cases(integration: Integration) -> list[UseCase]:
    return list(
        UseCase.objects.filter(integration=integration, type=UseCaseType.INBOUND)
        .only("id", "name", "slug", "enabled")
        .order_by("created_at", "id")
    )


def route(event: ValidEvent, use_cases: list[UseCase]) -> tuple[list[str], str | None]:
    """Enabled matching use case ids, or ``([], reason)``. ``use_case_slug`` wins; else ``event_name``
    matches the use case ``name`` exactly, with ``slug`` as fallback (docs/inbound.md, accepting: routing).
    An unknown ``use_case_slug`` is an invalid event (EventInvalid)."""
    if event.use_case_slug:
        matches = [uc for uc in use_cases if uc.slug == event.use_case_slug]
        if not matches:
            raise EventInvalid(f"use_case_slug: no inbound use case with slug '{event.use_case_slug}'")
    else:
        matches = [uc for uc in use_cases if uc.name == event.event_name]
        if not matches:
            matches = [uc for uc in use_cases if uc.slug and uc.slug == event.event_name]
        if not matches:
            return [], f"No inbound use case matches event '{event.event_name}'"
    enabled = [str(uc.id) for uc in matches if uc.enabled]
    if not enabled:
        return [], "The matching use case is disabled"
    return enabled, None
