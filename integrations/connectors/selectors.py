"""Reads of the connectors room: managed-call and secure-proxy use cases, scoped to the organisation.

A use case of another organisation, of another type or of another integration is simply not found.
"""
from __future__ import annotations

from erpintegration.exceptions import NotFound
from erpintegration.lib.ids import get_for_org, parse_uuid
from integrations.connectors.services.errors import ManagedCallNotFound
from integrations.models import Integration, UseCase, UseCaseHistory, UseCaseType

HISTORY_MAX = 20
HISTORY_DEFAULT = 10


def integration_for(organization, integration_id) -> Integration:
    return get_for_org(Integration.objects.all(), organization, integration_id, "Integration")


def managed_call_for_execution(organization, integration_id, slug: str) -> UseCase:
    """The enabled managed_call use case ``slug`` of the integration; 404 in the contract's error envelope."""
    key = parse_uuid(integration_id)
    use_case = (UseCase.objects.select_related("integration")
                .filter(organization=organization, integration_id=key, slug=slug, type=UseCaseType.MANAGED_CALL,
                        enabled=True).first() if key else None)
    if use_case is None:
        raise ManagedCallNotFound(f"no enabled managed_call use case {slug!r} in integration {integration_id}")
    return use_case


def managed_calls(integration: Integration) -> list[UseCase]:
    return list(UseCase.objects.filter(integration=integration, type=UseCaseType.MANAGED_CALL).order_by("slug", "created_at"))


def secure_proxy_use_case(organization, integration_id, use_case_id) -> UseCase:
    """404 unless the use case exists in that integration of the organisation and is of type secure_proxy."""
    integration = integration_for(organization, integration_id)
    key = parse_uuid(use_case_id)
    use_case = (UseCase.objects.filter(organization=organization, integration=integration, pk=key,
                                       type=UseCaseType.SECURE_PROXY).first() if key else None)
    if use_case is None:
        raise NotFound(f"Secure proxy use case {use_case_id} not found in integration {integration_id}")
    return use_case


def secure_proxy_by_reference(organization, integration_id, use_case_id=None, use_case_slug=None) -> UseCase | None:
    """The use case named by id or slug in that integration, of any type (the caller judges type and state)."""
    key = parse_uuid(integration_id)
    if key is None:
        return None
    queryset = UseCase.objects.select_related("integration").filter(organization=organization, integration_id=key)
    if use_case_id:
        use_case_key = parse_uuid(use_case_id)
        return queryset.filter(pk=use_case_key).first() if use_case_key else None
    return queryset.filter(slug=use_case_slug).first() if use_case_slug else None


def whitelist_of(use_case: UseCase) -> dict:
    config = use_case.configuration or {}
    return {"vpc_mode": config.get("vpc_mode"), "allowed_domains": list(config.get("allowed_domains") or []),
            "allowed_ips": list(config.get("allowed_ips") or [])}


def whitelist_history(use_case: UseCase, limit: int = HISTORY_DEFAULT) -> list[UseCaseHistory]:
    """Newest first; ``limit`` is clamped to 20 (the contract allows asking for up to 50)."""
    return list(UseCaseHistory.objects.filter(use_case=use_case).order_by("-history_created_at", "-id")
                [: min(limit, HISTORY_MAX)])


def use_case_of_type(organization, integration_id, use_case_id, use_case_type: str) -> UseCase:
    """For the pages: the use case of that type in that integration of the organisation, else NotFound."""
    integration = integration_for(organization, integration_id)
    key = parse_uuid(use_case_id)
    use_case = (UseCase.objects.select_related("integration")
                .filter(organization=organization, integration=integration, pk=key, type=use_case_type).first()
                if key else None)
    if use_case is None:
        raise NotFound(f"{use_case_type} use case {use_case_id} not found")
    return use_case
