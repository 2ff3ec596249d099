"""Type packages for an integration's managed calls: preview, generate (stateless), commit (bookkeeping).

The engine is pure (``integrations/connectors/typegen``); this module feeds it the use cases, compares with
the shapes stored at the last commit (``TypesCommit``), and on commit locks the use cases, stores the
annotations and appends to ``connector_config.types_versions``.
"""
from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from erpintegration.exceptions import ValidationFailed
from integrations.connectors import selectors
from integrations.connectors.typegen.changes import detect_changes, parse_version, suggest
from integrations.connectors.typegen.package import PACKAGE_NAME, generate_package
from integrations.connectors.typegen.shapes import ShapeError, infer_shape, unknown
from integrations.models import Integration, TypesCommit, UseCase, UseCaseType

DOMAIN_MAP_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def _shape(expression: str | None, where: str, warnings: list[str]) -> dict:
    try:
        return infer_shape(expression)
    except ShapeError as exc:
        warnings.append(f"{where}: {exc}")
        return unknown(where)


def current_shapes(integration: Integration, warnings: list[str] | None = None) -> list[dict]:
    warnings = [] if warnings is None else warnings
    out = []
    for use_case in selectors.managed_calls(integration):
        if not use_case.slug:
            continue
        config = use_case.configuration or {}
        item = {"slug": use_case.slug, "name": use_case.name,
                "request_shape": _shape(config.get("request_mapping"), f"{use_case.slug}.request_mapping", warnings),
                "response_shape": _shape(config.get("response_mapping"), f"{use_case.slug}.response_mapping", warnings)}
        if use_case.type_annotations:
            item["existing_annotations"] = use_case.type_annotations
        out.append(item)
    return out


def latest_commit(integration: Integration) -> TypesCommit | None:
    return TypesCommit.objects.filter(integration=integration).order_by("-created_at", "-id").first()


def preview(organization, integration_id) -> dict:
    integration = selectors.integration_for(organization, integration_id)
    use_cases = current_shapes(integration)
    connector = integration.connector_config or {}
    previous = latest_commit(integration)
    previous_version = connector.get("latest_types_version") or (previous.version if previous else None)
    changes = detect_changes(previous.shapes if previous else None,
                             {uc["slug"]: uc for uc in use_cases})
    bump, version = suggest(previous_version, changes)
    body = {"integration_name": integration.name, "use_cases": use_cases, "suggested_version": version,
            "detected_changes": changes}
    if previous_version:
        body["previous_version"] = previous_version
    if bump:
        body["suggested_bump"] = bump
    return body


def _validate_annotations(value, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{path}: must be an object keyed by use case slug")
    for slug, item in value.items():
        if not isinstance(item, dict):
            raise ValidationFailed(f"{path}.{slug}: must be an object with request/response")
        for side in item:
            if side not in ("request", "response"):
                raise ValidationFailed(f"{path}.{slug}.{side}: only request and response are allowed")
            if not isinstance(item[side], dict) or not all(isinstance(v, str) for v in item[side].values()):
                raise ValidationFailed(f"{path}.{slug}.{side}: must map field paths to type names (strings)")
    return value


def _validate_package(data) -> tuple[str, str]:
    if not isinstance(data, dict):
        raise ValidationFailed("request body must be a JSON object")
    name, version = data.get("package_name"), data.get("version")
    if not isinstance(name, str) or not PACKAGE_NAME.match(name) or len(name) > 214:
        raise ValidationFailed("package_name: must be an npm package name like '@acme/erp-types'")
    if not isinstance(version, str) or parse_version(version) is None:
        raise ValidationFailed("version: must be a semantic version like '1.0.0'")
    return name, version


def _annotations_for(use_cases: list[dict], given: dict) -> dict:
    """Stored annotations per slug, overridden slug by slug by the request's."""
    merged = {uc["slug"]: uc["existing_annotations"] for uc in use_cases if uc.get("existing_annotations")}
    merged.update(given)
    return merged


def generate(organization, integration_id, data) -> dict:
    integration = selectors.integration_for(organization, integration_id)
    name, version = _validate_package(data)
    annotations = _validate_annotations(data.get("annotations"), "annotations")
    for key in ("description", "domain_package", "domain_map_name"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationFailed(f"{key}: must be a string")
    if data.get("domain_package") and not PACKAGE_NAME.match(data["domain_package"]):
        raise ValidationFailed("domain_package: must be an npm package name")
    if data.get("domain_map_name") and not DOMAIN_MAP_NAME.match(data["domain_map_name"]):
        raise ValidationFailed("domain_map_name: must be a TypeScript identifier")
    warnings: list[str] = []
    use_cases = current_shapes(integration, warnings)
    if not use_cases:
        warnings.append("the integration has no managed_call use case with a slug; the package maps nothing")
    files, more = generate_package(package_name=name, version=version, use_cases=use_cases,
                                   description=data.get("description"), domain_package=data.get("domain_package"),
                                   domain_map_name=data.get("domain_map_name"),
                                   annotations=_annotations_for(use_cases, annotations))
    return {"package_name": name, "version": version, "files": files, "warnings": warnings + more}


@transaction.atomic
def commit(organization, integration_id, data, actor: str) -> dict:
    integration = selectors.integration_for(organization, integration_id)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    name, version = _validate_package(data)
    annotations = _validate_annotations(data.get("annotations"), "annotations")
    connector = dict(integration.connector_config or {})
    latest = connector.get("latest_types_version")
    if latest and parse_version(version) <= (parse_version(latest) or (0, 0, 0)):
        raise ValidationFailed(f"version: {version} is not greater than the latest committed version {latest}")
    warnings: list[str] = []
    use_cases = current_shapes(integration, warnings)
    slugs = {uc["slug"] for uc in use_cases}
    for slug in sorted(set(annotations) - slugs):
        warnings.append(f"annotations for {slug!r} name no managed-call use case and were ignored")
    for use_case in UseCase.objects.filter(integration=integration, type=UseCaseType.MANAGED_CALL):
        if use_case.slug in annotations:
            use_case.type_annotations = annotations[use_case.slug]
        use_case.types_locked = True
        use_case.save(update_fields=["type_annotations", "types_locked", "updated_at"])
    now = timezone.now()
    versions = [dict(entry, status="deprecated") if entry.get("status") == "active" else dict(entry)
                for entry in connector.get("types_versions") or []]
    versions.append({"version": version, "package_name": name,
                     "generated_at": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                     "generated_by": actor or "api", "status": "active"})
    connector.update(types_versions=versions, latest_types_version=version, latest_types_package_name=name)
    integration.connector_config = connector
    integration.save(update_fields=["connector_config", "updated_at"])
    TypesCommit.objects.create(organization_id=integration.organization_id, integration=integration, version=version,
                               package_name=name, shapes={uc["slug"]: {"request_shape": uc["request_shape"],
                                                                       "response_shape": uc["response_shape"]}
                                                          for uc in use_cases},
                               generated_by=actor or "api")
    return {"committed": True, "warnings": warnings}
