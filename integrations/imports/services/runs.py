"""The two long phases of an import, run by a background task: validate and execute.

Both stream the file (never load it whole), handle it in batches of ``IMPORTS_BATCH_SIZE`` rows and,
at every batch boundary, write progress and look at the job: a CANCELLING job becomes CANCELLED, a job
whose ``run_token`` changed (repointed, re-validated) or that was deleted stops this run. Execute writes
through the entity store's normal write stage, one transaction per batch (no global transaction: an abort
is not a rollback), and records one monitoring row per data row under the import's correlation id.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entities.services import StoreError, apply_mapping_result
from integrations.imports import files
from integrations.imports.columns import analyse
from integrations.imports.errors import error_body
from integrations.imports.services import storage
from integrations.mapping.engine import map_inbound
from integrations.mapping.results import MappingError, MappingResult
from integrations.models import ErpImport, ImportStatus, UseCase
from monitoring import services as monitoring

S = ImportStatus
MAX_ENTITY_DETAILS = 20
MAX_ROW_ERRORS = 20


def mapping_fingerprint(use_case: UseCase) -> str:
    """What execute compares with validation: the mapping as it is now."""
    body = json.dumps([str(use_case.id), use_case.configuration], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class Stopped(Exception):
    """The run must end: superseded (repointed, re-validated) or deleted."""

    def __init__(self, cancelled: bool):
        self.cancelled = cancelled


def _checkpoint(job_id: str, token: str, progress: dict) -> bool:
    """In the caller's transaction: write progress, or find the run superseded (``Stopped``, which rolls
    the batch back) or aborted (returns True: the caller commits this batch, then stops)."""
    now = timezone.now()
    job = ErpImport.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.run_token != token:
        raise Stopped(cancelled=False)
    if job.status == S.CANCELLING:
        job.status, job.progress, job.progress_at = S.CANCELLED, progress, now
        job.save(update_fields=["status", "progress", "progress_at", "updated_at"])
        return True
    ErpImport.objects.filter(pk=job_id).update(progress=progress, progress_at=now, updated_at=now)
    return False


def _batches(table: files.Table, size: int, skip: int = 0):
    batch = []
    for row in table.rows:
        if row.number <= skip:
            continue
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Verdict:
    total_rows: int = 0
    blank_rows: int = 0
    blocking: int = 0
    warnings: int = 0
    issues: dict = field(default_factory=dict)  # code -> issue (at most one per code)
    entities: dict = field(default_factory=dict)  # slug -> set of business keys
    details: list = field(default_factory=list)
    details_truncated: bool = False
    row_errors: list = field(default_factory=list)

    def issue(self, code: str, severity: str, **extra) -> None:
        existing = self.issues.get(code)
        if existing is None:
            self.issues[code] = {"code": code, "severity": severity, **extra}
        elif "columns" in extra:
            known = {(c["name"], c.get("entity")) for c in existing.setdefault("columns", [])}
            existing["columns"].extend(c for c in extra["columns"] if (c["name"], c.get("entity")) not in known)
        if severity == "blocking":
            self.blocking += 1
        else:
            self.warnings += 1

    def as_contract(self, read_file: bool = True) -> dict:
        out = {"blocking": self.blocking, "warnings": self.warnings,
               "entities": {slug: len(keys) for slug, keys in self.entities.items()},
               "entity_details": self.details, "issues": list(self.issues.values())}
        if read_file:
            out["total_rows"] = self.total_rows
        if self.details_truncated:
            out["entity_details_truncated"] = True
        return out


def _pre_read_issues(configuration: dict, columns: list[str], verdict: Verdict) -> None:
    available = set(columns)
    for info in analyse(configuration):
        missing_ids = [
            {"name": col, "entity": info.schema}
            for attribute, cols in info.unique_id_columns.items()
            if cols and not (cols & available)
            for col in sorted(cols)
        ]
        if missing_ids:
            verdict.issue("UNIQUE_ID_COLUMN_MISSING", "blocking", columns=missing_ids)
        missing = sorted(info.direct_columns - available - {c["name"] for c in missing_ids})
        if missing:
            verdict.issue("MAPPED_COLUMN_MISSING", "warning", columns=[{"name": c} for c in missing])


def _note_entities(result: MappingResult, configuration: dict, verdict: Verdict) -> None:
    entities = configuration.get("entities") or []
    for update in result.entity_updates:
        unique_ids = entities[update.config_index].get("unique_ids", []) if update.config_index < len(entities) else []
        key = {name: _text(update.unique_identifiers.get(name)) for name in unique_ids
               if name in update.unique_identifiers}
        if not key:
            key = {name: _text(value) for name, value in update.unique_identifiers.items()}
        seen = verdict.entities.setdefault(update.entity_slug, set())
        marker = tuple(sorted(key.items()))
        if marker in seen:
            continue
        seen.add(marker)
        if len(verdict.details) < MAX_ENTITY_DETAILS:
            verdict.details.append({"mapping_index": update.config_index, "entity_schema": update.entity_slug,
                                    "business_key": key})
        else:
            verdict.details_truncated = True


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _cancelled_before_start(job_id: str, token: str) -> bool:
    """An abort that came before the run started: nothing ran, so the job is simply CANCELLED."""
    return bool(ErpImport.objects.filter(pk=job_id, run_token=token, status=S.CANCELLING).update(
        status=S.CANCELLED, updated_at=timezone.now()))


def validate(job_id: str, token: str) -> None:
    job = ErpImport.objects.filter(pk=job_id, run_token=token, status=S.VALIDATING).first()
    if job is None:
        _cancelled_before_start(job_id, token)
        return
    use_case = UseCase.objects.filter(integration_id=job.integration_id, slug=job.use_case_slug).first()
    if use_case is None or use_case.type != "inbound":
        _finish_failed(job, token, "USE_CASE_NOT_USABLE")
        return
    configuration = use_case.configuration or {}
    verdict = Verdict()
    try:
        with storage.open_file(job.key) as stream:
            table = files.open_table(stream, job.format)
            _pre_read_issues(configuration, table.columns, verdict)
            for batch in _batches(table, settings.IMPORTS_BATCH_SIZE):
                for row in batch:
                    _validate_row(row, configuration, verdict)
                    if verdict.total_rows > settings.IMPORTS_MAX_ROWS:
                        break
                if verdict.total_rows > settings.IMPORTS_MAX_ROWS:
                    verdict.total_rows = settings.IMPORTS_MAX_ROWS
                    verdict.issue("TOO_MANY_ROWS", "blocking", subject=str(settings.IMPORTS_MAX_ROWS))
                    break
                with transaction.atomic():
                    cancelled = _checkpoint(job.pk, token, {"processed_rows": verdict.total_rows})
                if cancelled:
                    return
    except files.FileUnreadable as exc:
        if exc.code in ("INVALID_ENCODING", "EMPTY_FILE"):
            verdict.issue(exc.code, "blocking")
        else:
            _finish_failed(job, token, "FILE_FORMAT_UNSUPPORTED")
            return
    except storage.FileUnavailable:
        _finish_failed(job, token, "FILE_UNAVAILABLE")
        return
    except Stopped:
        return
    if verdict.total_rows == 0 and "EMPTY_FILE" not in verdict.issues and not verdict.blocking:
        verdict.issue("EMPTY_FILE", "blocking")
    if verdict.blank_rows:
        verdict.issue("BLANK_ROWS_SKIPPED", "warning", subject=str(verdict.blank_rows))
    body = verdict.as_contract()
    status = S.FAILED if verdict.blocking else S.READY
    now = timezone.now()
    ErpImport.objects.filter(pk=job.pk, run_token=token, status=S.VALIDATING).update(
        status=status, validation={**body, "row_errors": verdict.row_errors},
        error=error_body("VALIDATION_BLOCKED") if verdict.blocking else None,
        progress={"processed_rows": verdict.total_rows, "total_rows": verdict.total_rows},
        fingerprint=mapping_fingerprint(use_case), progress_at=now, updated_at=now)


def _validate_row(row: files.Row, configuration: dict, verdict: Verdict) -> None:
    if files.is_blank(row):
        verdict.blank_rows += 1
        return
    verdict.total_rows += 1
    if row.malformed:
        verdict.issue("MALFORMED_ROW", "blocking", row=row.number)
        return
    try:
        result = map_inbound(configuration, row.values)
    except MappingError as exc:
        verdict.blocking += 1
        if len(verdict.row_errors) < MAX_ROW_ERRORS:
            verdict.row_errors.append({"row": row.number, "code": exc.code, "message": str(exc)})
        return
    _note_entities(result, configuration, verdict)


def _finish_failed(job: ErpImport, token: str, code: str) -> None:
    ErpImport.objects.filter(pk=job.pk, run_token=token).update(
        status=S.FAILED, error=error_body(code), updated_at=timezone.now())


def execute(job_id: str, token: str) -> None:
    """Write every row through the normal write stage; resumable from the last completed batch."""
    job = ErpImport.objects.select_related("organization").filter(pk=job_id, run_token=token,
                                                                   status=S.PROCESSING).first()
    if job is None:
        _cancelled_before_start(job_id, token)
        return
    use_case = UseCase.objects.filter(integration_id=job.integration_id, slug=job.use_case_slug).first()
    if use_case is None:
        _finish_failed(job, token, "USE_CASE_NOT_USABLE")
        return
    configuration = use_case.configuration or {}
    done = int((job.progress or {}).get("processed_rows") or 0)
    total = (job.validation or {}).get("total_rows")
    try:
        with storage.open_file(job.key) as stream:
            table = files.open_table(stream, job.format)
            data_rows = 0
            for batch in _batches(table, settings.IMPORTS_BATCH_SIZE):
                rows = [r for r in batch if not files.is_blank(r)]
                first = data_rows
                data_rows += len(rows)
                if data_rows <= done:
                    continue  # a resumed run: this batch was completed before
                # The batch's writes, its monitoring rows and its progress commit together: a worker killed
                # mid-batch leaves none of them, and the redelivered run starts again at this batch.
                with transaction.atomic():
                    _write_batch(job, use_case, configuration, rows[max(0, done - first):])
                    cancelled = _checkpoint(job.pk, token, {"processed_rows": data_rows, "total_rows": total})
                if cancelled:
                    return
    except Stopped:
        return
    except storage.FileUnavailable:
        _finish_failed(job, token, "FILE_UNAVAILABLE")
        return
    except files.FileUnreadable:
        _finish_failed(job, token, "FILE_FORMAT_UNSUPPORTED")
        return
    now = timezone.now()
    ErpImport.objects.filter(pk=job.pk, run_token=token, status=S.PROCESSING).update(
        status=S.IMPORTED, progress={"processed_rows": data_rows, "total_rows": data_rows}, progress_at=now,
        updated_at=now)


def _write_batch(job: ErpImport, use_case: UseCase, configuration: dict, rows: list[files.Row]) -> None:
    """Map every row, then write the batch in one transaction; a batch the store refuses is written row by
    row (each in its savepoint) so one bad row fails alone."""
    started = time.monotonic()
    received = timezone.now()
    mapped: list[tuple[files.Row, MappingResult | None, MappingError | None]] = []
    for row in rows:
        if row.malformed:
            mapped.append((row, None, MappingError("MALFORMED_ROW", "the row has more cells than the header")))
            continue
        try:
            mapped.append((row, map_inbound(configuration, row.values), None))
        except MappingError as exc:
            mapped.append((row, None, exc))
    good = [result for _row, result, error in mapped if error is None]
    outcome: dict[int, str | None] = {}
    try:
        with transaction.atomic():
            apply_mapping_result(job.organization, _combined(good), integration_id=str(job.integration_id),
                                 event_id=None)
    except StoreError:
        for row, result, error in mapped:
            if error is not None:
                continue
            try:
                with transaction.atomic():
                    apply_mapping_result(job.organization, result, integration_id=str(job.integration_id),
                                         event_id=None)
            except StoreError as exc:
                outcome[row.number] = f"{exc.code}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    monitoring.record_inbound_events([
        _monitoring_row(job, use_case, row, received, duration,
                        error=(f"{error.code}: {error}" if error is not None else outcome.get(row.number)))
        for row, _result, error in mapped
    ])


def _combined(results: list[MappingResult]) -> MappingResult:
    combined = MappingResult()
    for result in results:
        combined.entity_updates.extend(result.entity_updates)
        combined.prune_scopes.extend(result.prune_scopes)
        combined.meter_readings_updates.extend(result.meter_readings_updates)
        combined.meter_reading_prunes.extend(result.meter_reading_prunes)
    return combined


def _monitoring_row(job, use_case, row, received, duration, *, error):
    code, _, message = (error or "").partition(": ")
    return monitoring.build_inbound_event(
        org_id=job.organization_id, event_id=f"{job.id}:{row.number}", sync_type="entity",
        status="error" if error else "success", received_at=received, correlation_id=job.id,
        integration_id=job.integration_id, use_case_id=use_case.id, object_type=use_case.slug or "",
        error_code=code or None, error_message=message or None,
        error_category="validation" if error else None, processing_duration_ms=duration,
        details={"import_id": job.id, "row": row.number},
    )


def watchdog(now=None) -> int:
    """Fail working jobs without progress for ``IMPORTS_NO_PROGRESS_SECONDS`` (a crashed or stuck run)."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.IMPORTS_NO_PROGRESS_SECONDS)
    failed = 0
    for status, code in ((S.VALIDATING, "VALIDATE_TIMEOUT"), (S.PROCESSING, "IMPORT_NO_PROGRESS")):
        failed += ErpImport.objects.filter(status=status, progress_at__lt=cutoff).update(
            status=S.FAILED, error=error_body(code), updated_at=now)
    # An abort whose run died before its next batch boundary: nothing is running any more.
    failed += ErpImport.objects.filter(status=S.CANCELLING, progress_at__lt=cutoff).update(
        status=S.CANCELLED, updated_at=now)
    return failed
