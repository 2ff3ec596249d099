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

from entities.models import EntitySchema
from entities.services import StoreError, apply_mapping_result
from integrations.imports import conditional, files
from integrations.imports.columns import analyse
from integrations.imports.errors import error_body
from integrations.imports.services import storage
from integrations.mapping.bounded import map_inbound
from integrations.mapping.results import EntityUpdate, MappingError, MappingResult
from integrations.models import ErpImport, ImportStatus, UseCase
from monitoring import services as monitoring
from monitoring.models import Source

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
class Plan:
    """What a phase needs from the use case: its mapping and its conditional target (if any)."""

    configuration: dict
    target: conditional.Target | None
    issues: list  # issues that reject the mapping before any row is read

    def grouper(self) -> conditional.Grouper | None:
        return conditional.Grouper(self.target) if self.target else None


def make_plan(job: ErpImport, use_case: UseCase) -> Plan:
    configuration = use_case.configuration or {}
    registry = {s.slug: s.as_dict() for s in EntitySchema.objects.filter(organization_id=job.organization_id)}
    targets, issues = conditional.targets(configuration, registry)
    return Plan(configuration, targets[0] if targets else None, issues)


@dataclass
class MappedRow:
    """One data row after mapping: its non-conditional writes, its conditional part, or its error."""

    index: int  # 1-based among data rows (blank rows are not counted): the progress watermark's unit
    row: files.Row
    result: MappingResult | None = None
    error: MappingError | None = None
    conditional: list = field(default_factory=list)  # [(EntityUpdate, item, sort value)]
    variant_updates: list = field(default_factory=list)  # variants this row closed, written with it


def map_row(plan: Plan, index: int, row: files.Row) -> MappedRow:
    mapped = MappedRow(index, row)
    if row.malformed:
        mapped.error = MappingError("MALFORMED_ROW", "the row has more cells than the header")
        return mapped
    try:
        result = map_inbound(plan.configuration, row.values)
        if plan.target is not None:
            mine = [u for u in result.entity_updates if u.config_index == plan.target.index]
            result.entity_updates = [u for u in result.entity_updates if u.config_index != plan.target.index]
            for update in mine:
                mapped.conditional.append((update, *_item(plan.target, row.values)))
    except MappingError as exc:
        mapped.error = exc
        return mapped
    mapped.result = result
    return mapped


def _item(target: conditional.Target, values: dict) -> tuple[dict, object]:
    mapped = map_inbound(target.item_config, values).entity_updates[0].attributes
    sort_value = mapped.pop("__sort__", None)
    mapped.pop("__row__", None)
    if conditional.sort_number(sort_value) is None:
        raise MappingError("SORT_VALUE_NOT_A_NUMBER", f"sort_by of '{target.attribute}' must be a number, "
                           f"got {sort_value!r}", {"path": "conditional.from_rows[0].sort_by"})
    return mapped, sort_value


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

    def row_error(self, row: files.Row, error: MappingError) -> None:
        if error.code == "MALFORMED_ROW":
            self.issue("MALFORMED_ROW", "blocking", row=row.number)
            return
        self.blocking += 1
        if len(self.row_errors) < MAX_ROW_ERRORS:
            self.row_errors.append({"row": row.number, "code": error.code, "message": str(error)})

    def note(self, update: EntityUpdate, configuration: dict) -> None:
        entities = configuration.get("entities") or []
        unique_ids = entities[update.config_index].get("unique_ids", []) if update.config_index < len(entities) else []
        key = {name: _text(update.unique_identifiers.get(name)) for name in unique_ids
               if name in update.unique_identifiers}
        if not key:
            key = {name: _text(value) for name, value in update.unique_identifiers.items()}
        seen = self.entities.setdefault(update.entity_slug, set())
        marker = tuple(sorted(key.items()))
        if marker in seen:
            return
        seen.add(marker)
        if len(self.details) < MAX_ENTITY_DETAILS:
            self.details.append({"mapping_index": update.config_index, "entity_schema": update.entity_slug,
                                 "business_key": key, "_ids": update.unique_identifiers})
        else:
            self.details_truncated = True

    def as_contract(self, read_file: bool = True) -> dict:
        out = {"blocking": self.blocking, "warnings": self.warnings,
               "entities": {slug: len(keys) for slug, keys in self.entities.items()},
               "entity_details": [{k: v for k, v in d.items() if k != "_ids"} for d in self.details],
               "issues": list(self.issues.values())}
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


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _cancelled_before_start(job_id: str, token: str) -> bool:
    """An abort that came before the run started: nothing ran, so the job is simply CANCELLED."""
    return bool(ErpImport.objects.filter(pk=job_id, run_token=token, status=S.CANCELLING).update(
        status=S.CANCELLED, updated_at=timezone.now()))


def _usable_use_case(job: ErpImport, token: str) -> UseCase | None:
    use_case = UseCase.objects.filter(integration_id=job.integration_id, slug=job.use_case_slug).first()
    if use_case is None or use_case.type != "inbound":
        _finish_failed(job, token, "USE_CASE_NOT_USABLE")
        return None
    return use_case


def validate(job_id: str, token: str) -> None:
    job = ErpImport.objects.filter(pk=job_id, run_token=token, status=S.VALIDATING).first()
    if job is None:
        _cancelled_before_start(job_id, token)
        return
    use_case = _usable_use_case(job, token)
    if use_case is None:
        return
    plan = make_plan(job, use_case)
    verdict = Verdict()
    if plan.issues:  # the mapping is refused against the entity schemas alone: the file is not read
        for issue in plan.issues:
            verdict.issue(**issue)
        _finish_validation(job, token, use_case, verdict, read_file=False)
        return
    grouper = plan.grouper()
    try:
        with storage.open_file(job.key) as stream:
            table = files.open_table(stream, job.format)
            _pre_read_issues(plan.configuration, table.columns, verdict)
            for batch in _batches(table, settings.IMPORTS_BATCH_SIZE):
                for row in batch:
                    if files.is_blank(row):
                        verdict.blank_rows += 1
                        continue
                    verdict.total_rows += 1
                    if verdict.total_rows > settings.IMPORTS_MAX_ROWS:
                        break
                    _validate_row(plan, grouper, map_row(plan, verdict.total_rows, row), verdict)
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
    if grouper is not None:
        grouper.close()
        for issue in grouper.finish_issues():
            verdict.issue(**issue)
        for detail in verdict.details:
            if detail["mapping_index"] == grouper.target.index:
                detail["variants"], detail["versions"] = grouper.counts(detail["_ids"])
    if verdict.total_rows == 0 and "EMPTY_FILE" not in verdict.issues and not verdict.blocking:
        verdict.issue("EMPTY_FILE", "blocking")
    if verdict.blank_rows:
        verdict.issue("BLANK_ROWS_SKIPPED", "warning", subject=str(verdict.blank_rows))
    _finish_validation(job, token, use_case, verdict)


def _validate_row(plan: Plan, grouper, mapped: MappedRow, verdict: Verdict) -> None:
    if mapped.error is not None:
        verdict.row_error(mapped.row, mapped.error)
        return
    for update in mapped.result.entity_updates:
        verdict.note(update, plan.configuration)
    for update, item, sort_value in mapped.conditional:
        verdict.note(update, plan.configuration)
        grouper.add(mapped.index, update.unique_identifiers, update.attributes, item, sort_value)


def _finish_validation(job: ErpImport, token: str, use_case: UseCase, verdict: Verdict, read_file=True) -> None:
    body = verdict.as_contract(read_file=read_file)
    now = timezone.now()
    progress = {"processed_rows": verdict.total_rows, "total_rows": verdict.total_rows} if read_file else None
    ErpImport.objects.filter(pk=job.pk, run_token=token, status=S.VALIDATING).update(
        status=S.FAILED if verdict.blocking else S.READY, validation={**body, "row_errors": verdict.row_errors},
        error=error_body("VALIDATION_BLOCKED") if verdict.blocking else None, progress=progress,
        fingerprint=mapping_fingerprint(use_case), progress_at=now, updated_at=now)


def _finish_failed(job: ErpImport, token: str, code: str) -> None:
    ErpImport.objects.filter(pk=job.pk, run_token=token).update(
        status=S.FAILED, error=error_body(code), updated_at=timezone.now())


class Writer:
    """Keeps the rows of an execute run in file order until they can be written.

    A row is ready when everything it contributes is final: rows of a conditional target wait until their
    variant-version closes (the next row starts another one). ``flush`` writes the ready prefix, so the
    progress watermark always sits before the first waiting row and a resumed run re-reads that variant whole.
    """

    def __init__(self, plan: Plan, done: int):
        self.plan = plan
        self.done = done  # rows a previous run completed: replayed through the grouper, never written again
        self.grouper = plan.grouper()
        self.queue: list[MappedRow] = []
        self.seen_entities: set[str] = set()  # conditional entities that got their first variant in this import
        self.watermark = done

    def add(self, mapped: MappedRow) -> None:
        replay = mapped.index <= self.done
        if self.grouper is not None and mapped.error is None:
            for update, item, sort_value in mapped.conditional:
                closed = self.grouper.add(mapped, update.unique_identifiers, update.attributes, item, sort_value)
                if closed is not None:
                    self._closed(closed)
        if not replay:
            self.queue.append(mapped)

    def _closed(self, variant: conditional.Variant) -> None:
        first = variant.entity_key not in self.seen_entities
        self.seen_entities.add(variant.entity_key)
        last = variant.rows[-1]
        if last.index <= self.done:
            return
        # The first variant of an entity in this import replaces the variants earlier imports wrote: the file
        # is the price list; later ones are appended (deduplicated, so a resumed run does not double them).
        operation = "_set" if first else "_append"
        last.variant_updates.append(EntityUpdate(
            entity_slug=variant.target.schema, unique_identifiers=variant.unique_identifiers,
            attributes={**variant.base, conditional.VARIANTS_ATTRIBUTE: {operation: [variant.variant]}},
            mode="upsert", config_index=variant.target.index))

    def ready(self, at_end: bool) -> list[MappedRow]:
        if at_end and self.grouper is not None:
            closed = self.grouper.close()
            if closed is not None:
                self._closed(closed)
        waiting = set() if at_end or self.grouper is None else {id(r) for r in self.grouper.open_rows}
        count = 0
        for mapped in self.queue:
            if id(mapped) in waiting:
                break
            count += 1
        ready, self.queue = self.queue[:count], self.queue[count:]
        if ready:
            self.watermark = ready[-1].index
        return ready


def execute(job_id: str, token: str) -> None:
    """Write every row through the normal write stage; resumable from the last completed row."""
    job = ErpImport.objects.select_related("organization").filter(pk=job_id, run_token=token,
                                                                   status=S.PROCESSING).first()
    if job is None:
        _cancelled_before_start(job_id, token)
        return
    use_case = _usable_use_case(job, token)
    if use_case is None:
        return
    plan = make_plan(job, use_case)
    writer = Writer(plan, done=int((job.progress or {}).get("processed_rows") or 0))
    total = (job.validation or {}).get("total_rows")
    index = 0
    try:
        with storage.open_file(job.key) as stream:
            table = files.open_table(stream, job.format)
            batches = _batches(table, settings.IMPORTS_BATCH_SIZE)
            batch = next(batches, None)
            while batch is not None:
                for row in batch:
                    if not files.is_blank(row):
                        index += 1
                        writer.add(map_row(plan, index, row))
                batch = next(batches, None)
                ready = writer.ready(at_end=batch is None)
                # The batch's writes, its monitoring rows and its progress commit together: a worker killed
                # mid-batch leaves none of them, and the redelivered run starts again after the watermark.
                with transaction.atomic():
                    if ready:
                        _write_rows(job, use_case, ready)
                    cancelled = _checkpoint(job.pk, token, {"processed_rows": writer.watermark, "total_rows": total})
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
        status=S.IMPORTED, progress={"processed_rows": index, "total_rows": index}, progress_at=now,
        updated_at=now)


def _write_rows(job: ErpImport, use_case: UseCase, rows: list[MappedRow]) -> None:
    """Write ready rows in one store call; if the store refuses it, row by row (each in its savepoint) so
    one bad row fails alone. One monitoring row per data row."""
    started = time.monotonic()
    received = timezone.now()
    writable = [r for r in rows if r.error is None]
    outcome: dict[int, str] = {}
    try:
        with transaction.atomic():
            apply_mapping_result(job.organization, _combined(writable), integration_id=str(job.integration_id),
                                 event_id=None)
    except StoreError:
        for mapped in writable:
            try:
                with transaction.atomic():
                    apply_mapping_result(job.organization, _combined([mapped]),
                                         integration_id=str(job.integration_id), event_id=None)
            except StoreError as exc:
                outcome[mapped.index] = f"{exc.code}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    monitoring.record_inbound_events([
        _monitoring_row(job, use_case, mapped.row, received, duration,
                        error=(f"{mapped.error.code}: {mapped.error}" if mapped.error is not None
                               else outcome.get(mapped.index)))
        for mapped in rows
    ])


def _combined(rows: list[MappedRow]) -> MappingResult:
    combined = MappingResult()
    for mapped in rows:
        result = mapped.result
        combined.entity_updates.extend(result.entity_updates)
        combined.entity_updates.extend(mapped.variant_updates)
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
        details={"import_id": job.id, "row": row.number}, source=Source.IMPORT,
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
