"""The entity store's write services. Public interface used by the inbound pipeline."""
from .errors import StoreError
from .report import EntityOutcome, MeterReadingOutcome, WriteReport
from .retention import RETENTION_DAYS, purge_expired_deleted_entities, restore_entity
from .sync_state import SyncStateBatch
from .writer import apply_mapping_result, lock_mapping_identities

__all__ = [
    "RETENTION_DAYS",
    "EntityOutcome",
    "MeterReadingOutcome",
    "StoreError",
    "SyncStateBatch",
    "WriteReport",
    "apply_mapping_result",
    "lock_mapping_identities",
    "purge_expired_deleted_entities",
    "restore_entity",
]
