"""``:suggest-use-cases``: rank every usable inbound use case of the organisation by the file columns its
mapping reads (exact trimmed names). Reads only the header."""
from __future__ import annotations

from erpintegration.exceptions import ValidationFailed
from integrations.imports import files
from integrations.imports.columns import columns_read, entity_types
from integrations.imports.services import storage
from integrations.models import ErpImport, UseCase


def file_columns(job: ErpImport) -> list[str]:
    with storage.open_file(job.key) as stream:
        return files.open_table(stream, job.format).columns


def suggest(job: ErpImport) -> dict:
    if job.format != "csv":
        raise ValidationFailed("Use-case suggestions read CSV headers only; this import is an XLSX file",
                               code="FILE_FORMAT_UNSUPPORTED")
    try:
        columns = file_columns(job)
    except files.FileUnreadable as exc:
        raise ValidationFailed(exc.message, code=exc.code) from exc
    use_cases = (UseCase.objects.filter(organization=job.organization, type="inbound", enabled=True)
                 .select_related("integration").order_by("integration__name", "name"))
    suggestions = []
    for use_case in use_cases:
        configuration = use_case.configuration or {}
        if not configuration.get("entities") or configuration.get("direct"):
            continue
        suggestions.append({
            "integration_id": str(use_case.integration_id), "integration_name": use_case.integration.name,
            "use_case_slug": use_case.slug or "", "use_case_name": use_case.name,
            "entity_types": entity_types(configuration),
            "matched_columns": len(columns_read(configuration, columns)),
        })
    suggestions.sort(key=lambda s: -s["matched_columns"])
    return {"file_columns": len(columns), "suggestions": suggestions}
