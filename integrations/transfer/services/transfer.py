"""Export and import of use cases between installations (staging -> production).

An export is one JSON document: the integration's name, description, settings and *declared* environment
variables, and its use cases (name, slug, type, enabled, configuration, named sample payloads). Never in it:
environment values, webhook secrets and header values, token data, ids of this installation's rows. Literal
OAuth secrets in a file-proxy ``auth`` block (``client_secret``, ``password``) are replaced by a reference
to a declared SecretString variable (``{{env.<key>}}``), so the target only has to set its value.

Import creates a new integration or updates one: a use case whose slug exists there gets a new version
(its history keeps the old one), others are created with new ids. Outbound mappings get new ids, and their
``webhook_id`` is remapped to the target's webhook of the same name (listed in the export); webhooks that do
not exist there are reported, never created (their secret would have to be shown to someone). All or nothing.
"""
from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from erpintegration.exceptions import ValidationFailed
from integrations.models import Integration, SamplePayload, UseCase, Webhook
from integrations.setup.services import integrations as integration_services
from integrations.setup.services import use_cases as use_case_services
from integrations.setup.services.sample_payloads import save_sample

FORMAT = "erpintegration.use-cases"
VERSION = 1
SECRET_AUTH_KEYS = ("client_secret", "password")
TEMPLATE_ONLY = re.compile(r"^\s*\{\{\s*env\.[A-Za-z0-9_.\-]+\s*\}\}\s*$")


# --- export ---------------------------------------------------------------------------------------------


def export_integration(org, integration: Integration, use_case_ids: list | None = None) -> dict:
    use_cases = UseCase.objects.filter(organization=org, integration=integration).order_by("created_at", "id")
    if use_case_ids:
        use_cases = use_cases.filter(pk__in=use_case_ids)
    use_cases = list(use_cases)
    environment = [dict(row) for row in integration.environment_config or []]
    declared = {row.get("key") for row in environment}
    samples: dict[str, list[SamplePayload]] = {}
    for sample in SamplePayload.objects.filter(use_case__in=use_cases).order_by("name"):
        samples.setdefault(str(sample.use_case_id), []).append(sample)
    exported, webhook_ids, notes = [], set(), []
    for use_case in use_cases:
        configuration = copy.deepcopy(use_case.configuration)
        if use_case.type == "file_proxy":
            configuration = _without_literal_secrets(configuration, use_case, environment, declared, notes)
        if use_case.type == "outbound" and isinstance(configuration, dict):
            for mapping in configuration.get("mappings") or []:
                ref = str(((mapping or {}).get("delivery") or {}).get("webhook_id") or "")
                if ref:
                    webhook_ids.add(ref)
        exported.append({
            "name": use_case.name, "slug": use_case.slug, "type": use_case.type, "enabled": use_case.enabled,
            "configuration": configuration,
            "sample_payloads": [{"name": s.name, "format": s.format, "payload": s.payload}
                                for s in samples.get(str(use_case.pk), [])],
        })
    webhooks = [{"ref": str(w.pk), "name": w.name, "url": w.url, "header_names": w.header_names()}
                for w in Webhook.objects.filter(organization=org, pk__in=_uuids(webhook_ids)).order_by("name")]
    return {
        "format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "integration": {"name": integration.name, "description": integration.description,
                        "settings": integration.settings, "environment_config": environment},
        "use_cases": exported, "webhooks": webhooks, "notes": notes,
    }


def _uuids(values) -> list[uuid.UUID]:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return result


def _without_literal_secrets(configuration, use_case, environment: list, declared: set, notes: list):
    auth = configuration.get("auth") if isinstance(configuration, dict) else None
    if not isinstance(auth, dict):
        return configuration
    for key in SECRET_AUTH_KEYS:
        value = auth.get(key)
        if not isinstance(value, str) or not value or TEMPLATE_ONLY.match(value):
            continue
        env_key = f"{(use_case.slug or 'file_proxy').replace('-', '_')}.{key}"
        auth[key] = "{{env." + env_key + "}}"
        if env_key not in declared:
            environment.append({"key": env_key, "label": f"{use_case.name}: {key}", "type": "SecretString",
                                "required": True, "order": len(environment)})
            declared.add(env_key)
        notes.append(f"{use_case.name}: the literal auth.{key} was replaced by {{{{env.{env_key}}}}}; "
                     "set its value on the Environment page after importing")
    return configuration


# --- import ---------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    integration: Integration
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check_document(document: Any) -> dict:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationFailed(f"format: not an erpintegration use-case export (expected format {FORMAT!r})")
    if document.get("version") != VERSION:
        raise ValidationFailed(f"version: this installation reads version {VERSION}, not {document.get('version')!r}")
    if not isinstance(document.get("integration"), dict):
        raise ValidationFailed("integration: missing")
    use_cases = document.get("use_cases")
    if not isinstance(use_cases, list) or not all(isinstance(item, dict) for item in use_cases):
        raise ValidationFailed("use_cases: must be a list of objects")
    for index, item in enumerate(use_cases):
        for key in ("name", "type"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ValidationFailed(f"use_cases[{index}].{key}: required")
    return document


@transaction.atomic
def import_document(org, document: Any, *, into: Integration | None = None, actor: str = "") -> ImportReport:
    """Create an integration from ``document`` or update ``into``; see the module docstring."""
    document = _check_document(document)
    source = document["integration"]
    if into is None:
        integration = integration_services.create_integration(org, {
            "name": source.get("name") or "Imported integration", "description": source.get("description"),
            "settings": source.get("settings"), "environment_config": source.get("environment_config") or [],
        })
    else:
        integration = Integration.objects.select_for_update().get(pk=into.pk, organization=org)
        merged = _merged_environment(integration.environment_config or [], source.get("environment_config") or [])
        if merged != (integration.environment_config or []):
            integration = integration_services.update_integration(org, integration, {"environment_config": merged})
    report = ImportReport(integration)
    webhook_map, missing = _webhook_map(org, document.get("webhooks") or [])
    existing = {uc.slug: uc for uc in UseCase.objects.filter(integration=integration) if uc.slug}
    for index, item in enumerate(document["use_cases"]):
        configuration = _remapped(copy.deepcopy(item.get("configuration")), item["type"], webhook_map, missing, report,
                                  item["name"])
        data = {"name": item["name"], "type": item["type"], "enabled": bool(item.get("enabled", True)),
                "configuration": configuration}
        try:
            current = existing.get(item.get("slug"))
            if current is not None:
                data["change_description"] = "Imported"
                use_case = use_case_services.update_use_case(org, current, data, actor=actor)
                report.updated.append(use_case.name)
            else:
                if item.get("slug"):
                    data["slug"] = item["slug"]
                use_case = use_case_services.create_use_case(org, integration, data)
                report.created.append(use_case.name)
        except ValidationFailed as exc:
            raise ValidationFailed(f"use_cases[{index}] ({item['name']}): {exc.message}", details=exc.details)
        for sample in item.get("sample_payloads") or []:
            if isinstance(sample, dict):
                save_sample(org, use_case, name=sample.get("name"), format=sample.get("format") or "json",
                            payload=sample.get("payload"), actor=actor)
    report.warnings.extend(str(note) for note in document.get("notes") or [])
    return report


def _merged_environment(current: list, incoming: list) -> list:
    """The target's declarations plus the export's new keys (an existing key keeps the target's declaration)."""
    keys = {row.get("key") for row in current}
    merged = [dict(row) for row in current]
    for row in incoming:
        if isinstance(row, dict) and row.get("key") not in keys:
            merged.append({**row, "order": len(merged)})
            keys.add(row.get("key"))
    return merged


def _webhook_map(org, webhooks: list) -> tuple[dict[str, str], dict[str, str]]:
    by_name = {w.name: str(w.pk) for w in Webhook.objects.filter(organization=org)}
    mapping, missing = {}, {}
    for webhook in webhooks:
        if not isinstance(webhook, dict):
            continue
        ref, name = str(webhook.get("ref") or ""), webhook.get("name")
        if name in by_name:
            mapping[ref] = by_name[name]
        else:
            missing[ref] = name or ref
    return mapping, missing


def _remapped(configuration, use_case_type: str, webhook_map: dict, missing: dict, report: ImportReport, name: str):
    if use_case_type != "outbound" or not isinstance(configuration, dict):
        return configuration
    for mapping in configuration.get("mappings") or []:
        if not isinstance(mapping, dict):
            continue
        mapping["id"] = str(uuid.uuid4())
        for key in ("created_at", "updated_at"):
            mapping.pop(key, None)
        delivery = mapping.get("delivery")
        if isinstance(delivery, dict) and delivery.get("webhook_id"):
            ref = str(delivery["webhook_id"])
            if ref in webhook_map:
                delivery["webhook_id"] = webhook_map[ref]
            else:
                report.warnings.append(
                    f"{name}: mapping “{mapping.get('name') or mapping['id']}” points to webhook "
                    f"“{missing.get(ref, ref)}”, which does not exist here: create it and pick it in the mapping")
    return configuration
