"""Response shapes of the connectors API that are not plain dicts from a selector."""
from __future__ import annotations

from integrations.models import UseCaseHistory


def _iso(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def history_entry(row: UseCaseHistory) -> dict:
    """``SecureProxyUseCaseHistoryEntry``: the full snapshot plus who replaced it and when."""
    body = {"id": str(row.id), "integrationId": str(row.integration_id), "useCaseId": str(row.use_case_id),
            "name": row.name, "type": row.type, "enabled": row.enabled, "configuration": row.configuration or {},
            "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
            "history_created_at": _iso(row.history_created_at)}
    if row.slug:
        body["slug"] = row.slug
    if row.change_description:
        body["change_description"] = row.change_description
    if row.changed_by:
        body["changed_by"] = row.changed_by
    return body
