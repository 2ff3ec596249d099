"""The import job's state machine (docs/imports.md).

PENDING --validate--> VALIDATING --ok--> READY --execute--> PROCESSING --> IMPORTED
VALIDATING --blocking issues--> FAILED(VALIDATION_BLOCKED); any working status --error--> FAILED
VALIDATING|PROCESSING --abort--> CANCELLING --> CANCELLED;  READY|FAILED --validate--> VALIDATING

Every transition is a conditional UPDATE (``status`` in the allowed set), so two concurrent confirms can
not both win: the loser sees 409. Work runs in a background task that carries the job's ``run_token``; a
repoint, a re-validation or a delete changes or removes the token and the old run stops at its next batch.
"""
from __future__ import annotations

import base64
import binascii
import secrets

from django.db import transaction
from django.utils import timezone

from erpintegration.exceptions import NotFound, ValidationFailed
from erpintegration.lib.ulid import new_ulid
from integrations.imports import files
from integrations.imports.errors import ImportConflict, ImportUnprocessable, error_body
from integrations.imports.services import storage
from integrations.models import ErpImport, ImportStatus, Integration, UseCase

S = ImportStatus
REPOINTABLE_FAILURES = {"VALIDATION_BLOCKED", "VALIDATE_TIMEOUT", "FILE_FORMAT_UNSUPPORTED"}
WORKING = (S.VALIDATING, S.PROCESSING)
PREVIEW_ROWS = 3


def get_import(organization, import_id: str) -> ErpImport:
    job = ErpImport.objects.filter(organization=organization, id=str(import_id)).first()
    if job is None:
        raise NotFound(f"Import {import_id} not found", code="IMPORT_NOT_FOUND")
    return job


def list_imports(organization, *, limit: int = 50, cursor: str | None = None) -> tuple[list[ErpImport], str | None]:
    limit = max(1, min(int(limit), 100))
    queryset = ErpImport.objects.filter(organization=organization).order_by("-id")
    if cursor:
        try:
            after = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValidationFailed("cursor: not a cursor returned by this API") from exc
        if not after.startswith("imp_"):
            raise ValidationFailed("cursor: not a cursor returned by this API")
        queryset = queryset.filter(id__lt=after)
    page = list(queryset[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = base64.urlsafe_b64encode(page[-1].id.encode()).decode().rstrip("=") if more else None
    return page, next_cursor


def read_head(key: str, fmt: str) -> tuple[list[str], list[list[str]]]:
    """Columns and the first rows; FileUnreadable when the file cannot be read."""
    with storage.open_file(key) as stream:
        table = files.open_table(stream, fmt)
        rows = []
        for row in table.rows:
            if files.is_blank(row):
                continue
            rows.append([row.values.get(c, "") for c in table.columns])
            if len(rows) >= PREVIEW_ROWS:
                break
        return table.columns, rows


def _format_of(key: str) -> str:
    with storage.open_file(key) as stream:
        head = stream.read(8)
    return files.detect_format(key, head)


def _refuse_unreadable(exc: files.FileUnreadable):
    """Registration refuses a file it cannot read: 400 with the reader's code (e.g. INVALID_ENCODING)."""
    raise ValidationFailed(f"s3_reference: {exc.message}", code=exc.code)


def create_or_repoint(organization, reference: dict, *, import_id: str | None = None, user=None):
    """Register a file (201) or repoint an existing import at it (200). Returns (job, preview, created)."""
    key = storage.check_reference(organization, reference)
    fmt = _format_of(key)
    try:
        columns, rows = read_head(key, fmt)
    except files.FileUnreadable as exc:
        _refuse_unreadable(exc)
    size = storage.file_size(key)
    preview = {"columns": columns, "rows": rows}
    with transaction.atomic():
        if import_id is None:
            job = ErpImport.objects.create(
                id=f"imp_{new_ulid()}", organization=organization, created_by=user if _is_user(user) else None,
                format=fmt, bucket=reference["bucket"], key=key, filename=key.rsplit("/", 1)[-1],
                size_bytes=size, column_count=len(columns), status=S.PENDING,
            )
            return job, preview, True
        job = ErpImport.objects.select_for_update().filter(organization=organization, id=str(import_id)).first()
        if job is None:
            raise NotFound(f"import_id: import {import_id} not found", code="IMPORT_NOT_FOUND")
        replaceable = job.status in (S.PENDING, S.READY) or (
            job.status == S.FAILED and (job.error or {}).get("code") in REPOINTABLE_FAILURES)
        if not replaceable:
            raise ImportConflict(f"Import {job.id} is {job.status} and can no longer be repointed",
                                 code="IMPORT_NOT_REPLACEABLE")
        old_key = job.key
        job.format, job.bucket, job.key = fmt, reference["bucket"], key
        job.filename, job.size_bytes, job.column_count = key.rsplit("/", 1)[-1], size, len(columns)
        job.status, job.validation, job.progress, job.error, job.fingerprint = S.PENDING, None, None, None, ""
        job.run_token = ""
        job.save()
        if old_key != key:
            transaction.on_commit(lambda: storage.delete_file(old_key))
        return job, preview, False


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and hasattr(user, "memberships")


def inbound_use_case(organization, integration_id: str, slug: str) -> UseCase:
    """The usable inbound use case, or 422 USE_CASE_NOT_USABLE (404 for an unknown integration)."""
    integration = Integration.objects.filter(organization=organization, id=_uuid_or_none(integration_id)).first()
    if integration is None:
        raise NotFound(f"integration_id: integration {integration_id} not found", code="INTEGRATION_NOT_FOUND")
    use_case = UseCase.objects.filter(integration=integration, slug=slug).first()
    reason = None
    if use_case is None:
        reason = f"use_case_slug: no use case {slug!r} in this integration"
    elif use_case.type != "inbound":
        reason = f"use_case_slug: {slug!r} is a {use_case.type} use case, not inbound"
    elif not use_case.enabled:
        reason = f"use_case_slug: {slug!r} is disabled"
    elif not (use_case.configuration or {}).get("entities"):
        reason = f"use_case_slug: {slug!r} has no entity mapping"
    if reason:
        raise ImportUnprocessable(reason, code="USE_CASE_NOT_USABLE")
    return use_case


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def start_validation(organization, import_id: str, integration_id: str, slug: str) -> ErpImport:
    use_case = inbound_use_case(organization, integration_id, slug)
    token = secrets.token_hex(8)
    with transaction.atomic():
        job = get_import_for_update(organization, import_id)
        if job.status not in (S.PENDING, S.READY, S.FAILED):
            raise ImportConflict(f"Import {job.id} is {job.status}: validate needs PENDING, READY or FAILED",
                                 code="IMPORT_NOT_VALIDATABLE")
        job.integration_id = use_case.integration_id
        job.use_case_slug = use_case.slug
        job.status, job.validation, job.error, job.fingerprint = S.VALIDATING, None, None, ""
        job.progress = {"processed_rows": 0}
        job.run_token, job.progress_at = token, timezone.now()
        job.save()
    return job


def get_import_for_update(organization, import_id: str) -> ErpImport:
    job = ErpImport.objects.select_for_update().filter(organization=organization, id=str(import_id)).first()
    if job is None:
        raise NotFound(f"Import {import_id} not found", code="IMPORT_NOT_FOUND")
    return job


def start_execution(organization, import_id: str, *, ack_warnings: bool, current_fingerprint) -> ErpImport:
    """READY -> PROCESSING after the checks; ``current_fingerprint(job)`` re-reads the live mapping."""
    job = get_import(organization, import_id)
    if job.status != S.READY:
        raise ImportConflict(f"Import {job.id} is {job.status}: only a READY import can be executed",
                             code="IMPORT_NOT_READY")
    use_case = inbound_use_case(organization, str(job.integration_id), job.use_case_slug)
    if current_fingerprint(use_case) != job.fingerprint:
        raise ImportConflict("The use case's mapping changed since validation: validate again",
                             code="VALIDATION_STALE")
    if (job.validation or {}).get("warnings", 0) > 0 and not ack_warnings:
        raise ImportUnprocessable("The validation found warnings: confirm with ack_warnings: true",
                                  code="WARNINGS_NOT_ACKNOWLEDGED")
    token = secrets.token_hex(8)
    total = (job.validation or {}).get("total_rows")
    updated = ErpImport.objects.filter(pk=job.pk, status=S.READY, fingerprint=job.fingerprint).update(
        status=S.PROCESSING, run_token=token, progress={"processed_rows": 0, "total_rows": total},
        progress_at=timezone.now(), updated_at=timezone.now())
    if not updated:
        raise ImportConflict(f"Import {job.id} is no longer READY", code="IMPORT_NOT_READY")
    job.refresh_from_db()
    return job


def abort_import(organization, import_id: str) -> ErpImport:
    with transaction.atomic():
        job = get_import_for_update(organization, import_id)
        if job.status not in WORKING:
            raise ImportConflict(f"Import {job.id} is {job.status}: only VALIDATING or PROCESSING can be aborted",
                                 code="IMPORT_NOT_ABORTABLE")
        job.status = S.CANCELLING
        job.save(update_fields=["status", "updated_at"])
    return job


def delete_import(organization, import_id: str) -> None:
    """Allowed in any status: the running phase stops at its next batch; rows already written stay."""
    job = get_import(organization, import_id)
    key = job.key
    job.delete()
    transaction.on_commit(lambda: storage.delete_file(key))


def fail(job_id: str, code: str, token: str | None = None) -> bool:
    queryset = ErpImport.objects.filter(pk=job_id, status__in=[*WORKING, S.CANCELLING])
    if token is not None:
        queryset = queryset.filter(run_token=token)
    return bool(queryset.update(status=S.FAILED, error=error_body(code), updated_at=timezone.now()))
