"""The entity store's write services. Public interface used by the inbound pipeline."""
from .errors import StoreError
from .report import EntityOutcome, MeterReadingOutcome, WriteReport
from .retention import RETENTION_DAYS, purge_expired_deleted_entities, restore_entity
from .writer import apply_mapping_result

__all__ = [
    "RETENTION_DAYS",
    "EntityOutcome",
    "MeterReadingOutcome",
    "StoreError",
    "WriteReport",
    "apply_mapping_result",
    "purge_expired_deleted_entities",
    "restore_entity",
]
