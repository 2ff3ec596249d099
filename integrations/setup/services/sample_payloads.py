"""Named sample payloads of a use case (the live simulation's inputs), several per use case.

Saving under an existing name replaces that sample; the payload is kept as text, exactly as pasted.
"""
from __future__ import annotations

from django.db import transaction

from erpintegration.exceptions import NotFound, ValidationFailed
from erpintegration.lib.ids import parse_uuid
from integrations.models import SamplePayload, UseCase

FORMATS = ("json", "xml")
MAX_SAMPLES = 50
MAX_PAYLOAD_CHARS = 1_000_000


def list_samples(org, use_case: UseCase) -> list[SamplePayload]:
    return list(SamplePayload.objects.filter(organization=org, use_case=use_case))


def get_sample(org, use_case: UseCase, sample_id) -> SamplePayload:
    pk = parse_uuid(sample_id)
    sample = SamplePayload.objects.filter(organization=org, use_case=use_case, pk=pk).first() if pk else None
    if sample is None:
        raise NotFound(f"Sample payload {sample_id} not found")
    return sample


def _clean(name, fmt, payload) -> tuple[str, str, str]:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("name: give the sample a name", details={"path": "name"})
    name = name.strip()
    if len(name) > 100:
        raise ValidationFailed("name: at most 100 characters", details={"path": "name"})
    if fmt not in FORMATS:
        raise ValidationFailed("format: must be json or xml", details={"path": "format"})
    if not isinstance(payload, str) or not payload.strip():
        raise ValidationFailed("payload: paste a payload first", details={"path": "payload"})
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise ValidationFailed(f"payload: at most {MAX_PAYLOAD_CHARS} characters", details={"path": "payload"})
    return name, fmt, payload


@transaction.atomic
def save_sample(org, use_case: UseCase, *, name, format, payload, actor: str = "") -> SamplePayload:  # noqa: A002
    """Create the sample ``name`` or replace its payload."""
    name, fmt, payload = _clean(name, format, payload)
    sample = SamplePayload.objects.select_for_update().filter(organization=org, use_case=use_case, name=name).first()
    if sample is None:
        if SamplePayload.objects.filter(use_case=use_case).count() >= MAX_SAMPLES:
            raise ValidationFailed(f"A use case keeps at most {MAX_SAMPLES} samples: delete one first.")
        return SamplePayload.objects.create(
            organization=org, use_case=use_case, name=name, format=fmt, payload=payload, created_by=actor
        )
    sample.format, sample.payload = fmt, payload
    sample.save(update_fields=["format", "payload", "updated_at"])
    return sample


def delete_sample(org, use_case: UseCase, sample_id) -> None:
    get_sample(org, use_case, sample_id).delete()
