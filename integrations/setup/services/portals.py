"""The organisation's portal registry (``PortalConfig``): what ``portal_ref`` fields resolve against.

Writes: one portal at a time (UI form, admin) or an import of many from JSON, all or nothing, matched
by ``portal_id`` (an existing portal is updated, a new one created). The import takes what an export of
portal configurations looks like: a list (or ``{"portals": [...]}``) of objects with ``portal_id`` (or
``id``), ``origin``, ``name``, ``domain``, ``enabled``, ``is_dummy``, ``is_epilot_domain`` and
``_created_at`` (or ``created_at``); other keys are ignored.
"""
from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import PortalConfig, PortalOrigin

MAX_IMPORT = 1000
FLAGS = {"enabled": True, "is_dummy": False, "is_epilot_domain": False}


def list_portals(organization) -> list[PortalConfig]:
    return list(PortalConfig.objects.filter(organization=organization).order_by("portal_created_at", "portal_id"))


def get_portal(organization, pk) -> PortalConfig:
    portal = PortalConfig.objects.filter(organization=organization, pk=pk).first() if _is_uuid(pk) else None
    if portal is None:
        raise NotFound(f"Portal configuration {pk} not found")
    return portal


def portal_issues(item: Any, path: str) -> tuple[dict, list[tuple[str, str]]]:
    """The cleaned fields of one imported portal, and its problems as (path, message)."""
    if not isinstance(item, dict):
        return {}, [(path, "must be an object")]
    issues: list[tuple[str, str]] = []
    portal_id = item.get("portal_id", item.get("id"))
    if not isinstance(portal_id, str) or not portal_id.strip() or len(portal_id) > 255:
        issues.append((f"{path}.portal_id", "is required: a string of 1 to 255 characters (or id)"))
    origin = item.get("origin")
    if origin not in PortalOrigin.values:
        issues.append((f"{path}.origin", f"must be one of {', '.join(PortalOrigin.values)}"))
    cleaned: dict[str, Any] = {"portal_id": portal_id, "origin": origin}
    for name in ("name", "domain"):
        value = item.get(name) or ""
        if not isinstance(value, str) or len(value) > 255:
            issues.append((f"{path}.{name}", "must be a string of at most 255 characters"))
        cleaned[name] = value
    for flag, default in FLAGS.items():
        value = item.get(flag, default)
        if not isinstance(value, bool):
            issues.append((f"{path}.{flag}", "must be true or false"))
        cleaned[flag] = value
    created = item.get("_created_at", item.get("created_at"))
    if created is not None:
        moment = parse_datetime(created) if isinstance(created, str) else None
        if moment is None:
            issues.append((f"{path}._created_at", "must be an ISO 8601 date-time"))
        else:
            created = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    cleaned["portal_created_at"] = created
    return cleaned, issues


@transaction.atomic
def import_portals(organization, data: Any) -> tuple[int, int]:
    """Create or update every portal of ``data`` (all or nothing); returns (created, updated)."""
    items = data.get("portals") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValidationFailed("portals: send a JSON array of portal configurations (or {\"portals\": [...]})")
    if len(items) > MAX_IMPORT:
        raise ValidationFailed(f"portals: at most {MAX_IMPORT} portals per import (got {len(items)})")
    cleaned, issues, seen = [], [], {}
    for index, item in enumerate(items):
        fields, problems = portal_issues(item, f"portals[{index}]")
        issues.extend(problems)
        if not problems and fields["portal_id"] in seen:
            issues.append((f"portals[{index}].portal_id", f"duplicates portals[{seen[fields['portal_id']]}]"))
        seen.setdefault(fields.get("portal_id"), index)
        cleaned.append(fields)
    if issues:
        raise ValidationFailed("; ".join(f"{p}: {m}" for p, m in issues[:10]),
                               details=[{"path": p, "message": m} for p, m in issues])
    existing = {p.portal_id: p for p in PortalConfig.objects.select_for_update().filter(
        organization=organization, portal_id__in=[c["portal_id"] for c in cleaned])}
    created = updated = 0
    for fields in cleaned:
        portal = existing.get(fields["portal_id"])
        if portal is None:
            PortalConfig.objects.create(organization=organization, **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(portal, name, value)
            portal.save()
            updated += 1
    return created, updated


def save_portal(organization, portal: PortalConfig) -> PortalConfig:
    """Create or update one portal from the form (which checked the fields)."""
    if portal.organization_id not in (None, organization.pk):
        raise NotFound(f"Portal configuration {portal.pk} not found")
    portal.organization = organization
    if PortalConfig.objects.filter(organization=organization, portal_id=portal.portal_id).exclude(pk=portal.pk).exists():
        raise ValidationFailed(f"portal_id: {portal.portal_id!r} is already registered")
    portal.save()
    return portal


def delete_portal(organization, portal: PortalConfig) -> None:
    if portal.organization_id != organization.pk:
        raise NotFound(f"Portal configuration {portal.pk} not found")
    portal.delete()


def export_portals(organization) -> list[dict]:
    return [{"portal_id": p.portal_id, "origin": p.origin, "name": p.name, "domain": p.domain,
             "enabled": p.enabled, "is_dummy": p.is_dummy, "is_epilot_domain": p.is_epilot_domain,
             "_created_at": p.portal_created_at.isoformat().replace("+00:00", "Z") if p.portal_created_at else None}
            for p in list_portals(organization)]


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True

