"""Read side of the imports pages."""
from integrations.models import ErpImport, Integration, UseCase

STATUS_BADGES = {"PENDING": "muted", "VALIDATING": "info", "READY": "info", "PROCESSING": "info",
                 "IMPORTED": "success", "FAILED": "danger", "CANCELLING": "warning", "CANCELLED": "muted"}


def recent_imports(organization, limit: int = 50) -> list[ErpImport]:
    jobs = list(ErpImport.objects.filter(organization=organization).select_related("integration")
                .order_by("-id")[:limit])
    for job in jobs:
        job.badge = STATUS_BADGES.get(job.status, "muted")
    return jobs


def inbound_use_case_choices(organization) -> list[tuple[str, str]]:
    """``integration_id|slug`` -> "Integration / Use case" for every usable inbound use case."""
    use_cases = (UseCase.objects.filter(organization=organization, type="inbound", enabled=True)
                 .exclude(slug__isnull=True).select_related("integration").order_by("integration__name", "name"))
    return [(f"{u.integration_id}|{u.slug}", f"{u.integration.name} / {u.name}") for u in use_cases
            if (u.configuration or {}).get("entities")]


def integration_name(organization, integration_id) -> str | None:
    return Integration.objects.filter(organization=organization, id=integration_id).values_list(
        "name", flat=True).first()


def progress_percent(job: ErpImport) -> int | None:
    progress = job.progress or {}
    total = progress.get("total_rows")
    if not total:
        return 100 if job.status == "IMPORTED" else None
    return min(100, int(100 * (progress.get("processed_rows") or 0) / total))


def status_summary(job: ErpImport) -> dict:
    """What the detail page polls while a phase runs."""
    progress = job.progress or {}
    return {"import_id": job.id, "status": job.status, "badge": STATUS_BADGES.get(job.status, "muted"),
            "processed_rows": progress.get("processed_rows"), "total_rows": progress.get("total_rows"),
            "percent": progress_percent(job), "error": job.error if job.status == "FAILED" else None,
            "working": job.status in ("VALIDATING", "PROCESSING", "CANCELLING")}
