"""Use cases: create with derived slugs, partial updates that snapshot history, restore, delete, v2 sync.

docs/configuration-validation.md (integrations, use cases and their history). Every write to a use case that
changes it stores the previous state as a UseCaseHistory row in the same transaction, so history and state can
never disagree.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from erpintegration.exceptions import NotFound, ValidationFailed
from erpintegration.lib.ids import parse_uuid
from integrations.configuration import ConfigIssue, ConfigurationInvalid, validate_configuration
from integrations.configuration.checks import Checker
from integrations.configuration.managed_call import validate_type_annotations
from integrations.configuration.secure_proxy import READ_ONLY_KEYS as SECURE_PROXY_READ_ONLY
from integrations.models import Integration, UseCase, UseCaseHistory, UseCaseType
from integrations.setup.services.timestamps import align_timestamps
from monitoring import services as monitoring

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = 255
#: The fields a caller may change on an existing use case (``type`` may be repeated, not changed).
UPDATABLE_FIELDS = ("name", "slug", "enabled", "configuration", "change_description", "type_annotations")
#: The state a history snapshot captures, so "did anything change?" compares exactly these.
SNAPSHOT_FIELDS = ("name", "slug", "type", "enabled", "configuration", "change_description", "type_annotations")
#: Types a v0.46 client cannot express: a sync that deletes them without naming the type is suspicious (C7).
NEWER_TYPES = (UseCaseType.MANAGED_CALL, UseCaseType.SECURE_PROXY)
SYNC_DELETED_NEWER_TYPE = "USE_CASE_DELETED_BY_SYNC"


class InvalidConfiguration(ValidationFailed):
    """A use case configuration failed validation; ``details`` lists ``{"path", "message"}`` per issue."""

    code = "INVALID_CONFIGURATION"


class DuplicateSlug(ValidationFailed):
    code = "DUPLICATE_SLUG"


def validated_configuration(use_case_type: str, configuration, previous=None, path_prefix: str = ""):
    """The normalised configuration, or InvalidConfiguration naming each offending path.

    ``path_prefix`` locates the use case in a bigger request (``use_cases[2].``) so paths stay exact.
    """
    if configuration is None:
        if use_case_type == UseCaseType.SECURE_PROXY and isinstance(previous, dict):
            return {key: previous[key] for key in SECURE_PROXY_READ_ONLY if key in previous} or None
        return None
    try:
        return validate_configuration(
            use_case_type, configuration, previous=previous, root=f"{path_prefix}configuration"
        )
    except ConfigurationInvalid as exc:
        raise InvalidConfiguration(exc.message, details=exc.details)


def derive_slug(name: str, taken: Iterable[str]) -> str:
    """A slug from ``name`` that is not in ``taken``: ``customer-sync``, then ``customer-sync-2``, ...

    slugify() only emits ``[a-z0-9_-]`` and strips leading ``-``/``_``, so the result matches the
    contract's ``^[a-z0-9][a-z0-9_-]*$``.
    """
    taken = set(taken)
    base = slugify(name or "")[: SLUG_MAX_LENGTH - 8].strip("-_") or "use-case"
    if base not in taken:
        return base
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"


def _slugs_of(integration: Integration, exclude_pk=None) -> set[str]:
    queryset = UseCase.objects.filter(integration=integration, slug__isnull=False)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return set(queryset.values_list("slug", flat=True))


def validated_type_annotations(use_case_type: str, value, path_prefix: str = ""):
    """``type_annotations`` exist on managed calls only; InvalidConfiguration naming the field otherwise."""
    path = f"{path_prefix}type_annotations"
    if value is None:
        return None
    if use_case_type != UseCaseType.MANAGED_CALL:
        raise InvalidConfiguration(f"{path}: only managed_call use cases have type annotations",
                                   details=[ConfigIssue(path, "only managed_call use cases have type annotations")
                                            .as_dict()])
    check = Checker()
    validate_type_annotations(value, check, path)
    try:
        check.issues.raise_if_any()
    except ConfigurationInvalid as exc:
        raise InvalidConfiguration(exc.message, details=exc.details)
    return value


def _check_type(value, path: str) -> str:
    if value not in UseCaseType.values:
        raise ValidationFailed(f"{path}: must be one of {', '.join(UseCaseType.values)}")
    return value


def _snapshot(use_case: UseCase, actor: str) -> UseCaseHistory:
    """Store ``use_case`` as it is *now* (call before changing it)."""
    return UseCaseHistory.objects.create(**_snapshot_fields(use_case, actor))


def _save_guarding_slug(use_case: UseCase, path: str, **save_kwargs) -> None:
    """Save; a concurrent writer that took the same slug becomes a clean 400, not a 500."""
    try:
        with transaction.atomic():
            use_case.save(**save_kwargs)
    except IntegrityError:
        if use_case.slug and _slugs_of(use_case.integration, exclude_pk=use_case.pk) & {use_case.slug}:
            raise DuplicateSlug(f"{path}slug: '{use_case.slug}' is already used by another use case of this integration")
        raise


def _new_use_case(
    org, integration: Integration, data: dict, *, taken: set[str], path: str = "", actor: str = "",
    require_slug: bool = False,
) -> UseCase:
    """Build (unsaved) a use case from create ``data``; ``taken`` are slugs it must avoid.

    ``require_slug`` is the strict v1.33 rule for explicit creates (``ERPI_STRICT_SLUG``); by default a
    missing slug is derived from the name, so v0.46 clients keep working (C1).
    """
    use_case_type = _check_type(data.get("type"), f"{path}type")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(f"{path}name: This field is required.")
    slug = data.get("slug")
    if slug:
        if slug in taken:
            raise DuplicateSlug(f"{path}slug: '{slug}' is already used by another use case of this integration")
    elif require_slug:
        raise ValidationFailed(f"{path}slug: This field is required.")
    else:
        slug = derive_slug(name, taken)
    use_case = UseCase(
        organization=org,
        integration=integration,
        name=name,
        slug=slug,
        type=use_case_type,
        enabled=bool(data.get("enabled", True)),
        configuration=validated_configuration(use_case_type, data.get("configuration"), path_prefix=path),
        change_description=data.get("change_description"),
        changed_by=actor or "",
        type_annotations=validated_type_annotations(use_case_type, data.get("type_annotations"), path),
    )
    if data.get("id"):
        use_case.id = data["id"]
    return use_case


@transaction.atomic
def create_use_case(org, integration: Integration, data: dict, actor: str = "") -> UseCase:
    """A new use case; the slug is derived from the name when absent (docs/configuration-validation.md, slugs;
    C1 in docs/contract-versions.md) unless ``ERPI_STRICT_SLUG`` is on, and unique per integration. ``actor``
    is the user id (or "")."""
    _check_owner(org, integration)
    Integration.objects.select_for_update().filter(pk=integration.pk).first()  # serialise slug derivation
    use_case = _new_use_case(org, integration, data, taken=_slugs_of(integration), actor=actor,
                             require_slug=getattr(settings, "ERPI_STRICT_SLUG", False))
    if data.get("id") and UseCase.objects.filter(pk=use_case.pk).exists():
        raise ValidationFailed(f"id: {use_case.pk} is already used by another use case")
    _save_guarding_slug(use_case, "", force_insert=True)
    align_timestamps(use_case)
    return use_case


def _apply_update(current: UseCase, data: dict, path: str = "", actor: str = "") -> None:
    """Merge ``data`` into ``current`` in memory, enforcing type and slug immutability.

    ``types_locked`` is never taken from input (commitTypes sets it); ``changed_by`` becomes ``actor``.
    """
    if "type" in data and data["type"] is not None and data["type"] != current.type:
        _check_type(data["type"], f"{path}type")
        raise ValidationFailed(
            f"{path}type: cannot change the type of a use case (it is '{current.type}', got '{data['type']}'); "
            "create a new use case instead"
        )
    if "name" in data:
        if not isinstance(data["name"], str) or not data["name"].strip():
            raise ValidationFailed(f"{path}name: may not be blank.")
        current.name = data["name"]
    if data.get("slug") and data["slug"] != current.slug:
        if current.slug:
            raise ValidationFailed(
                f"{path}slug: is immutable once set (it is '{current.slug}', got '{data['slug']}')",
                code="SLUG_IMMUTABLE",
            )
        if data["slug"] in _slugs_of(current.integration, exclude_pk=current.pk):
            raise DuplicateSlug(f"{path}slug: '{data['slug']}' is already used by another use case of this integration")
        current.slug = data["slug"]
    if "enabled" in data:
        current.enabled = bool(data["enabled"])
    if "configuration" in data:
        current.configuration = validated_configuration(
            current.type, data["configuration"], previous=current.configuration, path_prefix=path
        )
    if "type_annotations" in data:
        current.type_annotations = validated_type_annotations(current.type, data["type_annotations"], path)
    # change_description describes *this* change (like a commit message), so it never carries over (C12).
    current.change_description = data.get("change_description")
    current.changed_by = actor or ""


def _state(use_case: UseCase, with_description: bool = True) -> tuple:
    fields = SNAPSHOT_FIELDS if with_description else tuple(f for f in SNAPSHOT_FIELDS if f != "change_description")
    return tuple(getattr(use_case, field) for field in fields)


def _locked(org, use_case: UseCase) -> UseCase:
    _check_owner(org, use_case.integration)
    current = UseCase.objects.select_for_update().select_related("integration").filter(pk=use_case.pk).first()
    if current is None or current.organization_id != org.pk:
        raise NotFound(f"Use case {use_case.pk} not found")
    return current


@transaction.atomic
def update_use_case(org, use_case: UseCase, data: dict, actor: str = "") -> UseCase:
    """Partial merge (docs/configuration-validation.md, updates merge); snapshots the previous state first,
    attributed to ``actor``."""
    current = _locked(org, use_case)
    _snapshot(current, actor)
    _apply_update(current, data, actor=actor)
    _save_guarding_slug(current, "")
    return current


@transaction.atomic
def restore_use_case_version(org, use_case: UseCase, history_id, actor: str = "", change_description=None) -> UseCase:
    """Bring back name, enabled and configuration of one snapshot; restoring is itself a new version.

    The slug and type stay as they are (both are immutable); the configuration is re-validated so a
    snapshot that today's rules reject cannot sneak back in.
    """
    current = _locked(org, use_case)
    entry = UseCaseHistory.objects.filter(organization=org, use_case=current, pk=parse_uuid(history_id)).first()
    if entry is None:
        raise NotFound(f"History entry {history_id} not found")
    description = change_description or f"Restored the version of {entry.history_created_at:%Y-%m-%d %H:%M:%S} UTC"
    _snapshot(current, actor)
    _apply_update(
        current,
        {
            "name": entry.name,
            "enabled": entry.enabled,
            "configuration": entry.configuration,
            "change_description": description[:2000],
        },
        actor=actor,
    )
    _save_guarding_slug(current, "")
    return current


@transaction.atomic
def delete_use_case(org, use_case: UseCase) -> None:
    """Delete the use case and (by cascade) its history."""
    current = _locked(org, use_case)
    current.delete()


@transaction.atomic
def sync_use_cases(org, integration: Integration, items: list[dict], actor: str = "") -> list[UseCase]:
    """Make the integration's use cases exactly ``items`` (v2 PUT, docs/configuration-validation.md), all or
    nothing.

    An item whose ``id`` matches is updated (merge; a snapshot only when something changes), an
    unmatched ``id`` is created with that id, no ``id`` creates a new one, and the rest are deleted.
    Deletes run first so their slugs can be reused by the desired state.
    """
    _check_owner(org, integration)
    items = [_with_uuid_id(item, index) for index, item in enumerate(items)]
    existing = {uc.pk: uc for uc in UseCase.objects.select_for_update().filter(integration=integration)}
    seen_ids: dict[uuid.UUID, int] = {}
    explicit_slugs: dict[str, int] = {}
    for index, item in enumerate(items):
        path = f"use_cases[{index}]."
        item_id = item.get("id")
        if item_id is not None:
            if item_id in seen_ids:
                raise ValidationFailed(f"{path}id: duplicates use_cases[{seen_ids[item_id]}].id")
            seen_ids[item_id] = index
            if item_id not in existing and UseCase.objects.filter(pk=item_id).exists():
                raise ValidationFailed(f"{path}id: {item_id} is already used by another use case")
        slug = item.get("slug")
        if slug:
            if slug in explicit_slugs:
                raise DuplicateSlug(f"{path}slug: duplicates use_cases[{explicit_slugs[slug]}].slug '{slug}'")
            explicit_slugs[slug] = index

    listed_types = {item.get("type") for item in items}
    for pk, use_case in existing.items():
        if pk not in seen_ids:
            if use_case.type in NEWER_TYPES and use_case.type not in listed_types:
                _warn_sync_deleted(org, integration, use_case)
            use_case.delete()

    pending_creates = []
    for index, item in enumerate(items):
        path = f"use_cases[{index}]."
        current = existing.get(item.get("id"))
        if current is None:
            pending_creates.append((index, item))
            continue
        before = _state(current, with_description=False)
        snapshot = UseCaseHistory(**_snapshot_fields(current, actor))
        _apply_update(current, item, path, actor=actor)
        # An item that restates the current state is not a change: no save, no history entry.
        if _state(current, with_description=False) != before:
            snapshot.save()
            _save_guarding_slug(current, path)

    in_use = _slugs_of(integration)
    reserved = set(explicit_slugs)
    for index, item in pending_creates:
        path = f"use_cases[{index}]."
        own_slug = item.get("slug")
        if own_slug and own_slug in in_use:
            raise DuplicateSlug(f"{path}slug: '{own_slug}' is already used by another use case of this integration")
        use_case = _new_use_case(org, integration, item, taken=in_use | (reserved - {own_slug}), path=path,
                                 actor=actor)
        _save_guarding_slug(use_case, path, force_insert=True)
        align_timestamps(use_case)
        in_use.add(use_case.slug)
    return list(UseCase.objects.filter(integration=integration).order_by("created_at", "id"))


def _snapshot_fields(use_case: UseCase, actor: str) -> dict:
    return {
        "organization_id": use_case.organization_id,
        "integration_id": use_case.integration_id,
        "use_case": use_case,
        "name": use_case.name,
        "slug": use_case.slug,
        "type": use_case.type,
        "enabled": use_case.enabled,
        "configuration": use_case.configuration,
        "change_description": use_case.change_description,
        "type_annotations": use_case.type_annotations,
        "created_at": use_case.created_at,
        "updated_at": use_case.updated_at,
        "changed_by": (actor or "")[:255],
    }


def _warn_sync_deleted(org, integration: Integration, use_case: UseCase) -> None:
    """C7: a declarative sync deleted a managed_call/secure_proxy use case although it listed no use case
    of that type - the signature of a v0.46 client that cannot express the type. Allowed, but recorded."""
    message = (f"The v2 sync deleted {use_case.type} use case '{use_case.name}' ({use_case.pk}) and listed no "
               f"{use_case.type} use case: a client that predates v1.33 may have dropped it unknowingly")
    logger.warning(message)
    monitoring.record_configuration_warning(
        org_id=org.pk, integration_id=str(integration.pk), code=SYNC_DELETED_NEWER_TYPE, message=message,
        details={"use_case_id": str(use_case.pk), "type": use_case.type, "name": use_case.name,
                 "slug": use_case.slug, "configuration": use_case.configuration},
    )


def _with_uuid_id(item: dict, index: int) -> dict:
    """``item`` with its optional ``id`` as a UUID, so string ids from non-API callers match too."""
    if not isinstance(item, dict):
        raise ValidationFailed(f"use_cases[{index}]: must be an object")
    if item.get("id") is None:
        return item
    parsed = parse_uuid(item["id"])
    if parsed is None:
        raise ValidationFailed(f"use_cases[{index}].id: must be a valid UUID")
    return {**item, "id": parsed}


def _check_owner(org, integration: Integration) -> None:
    if integration.organization_id != org.pk:
        raise NotFound(f"Integration {integration.pk} not found")
