"""The entity store's write services. Public interface used by the inbound pipeline."""
from entities.services.apply import apply_mapping_result, lock_mapping_identities
from entities.services.errors import StoreError
from entities.services.report import EntityOutcome, MeterReadingOutcome, WriteReport
from entities.services.retention import RETENTION_DAYS, purge_expired_deleted_entities, restore_entity
from entities.services.sync_state import SyncStateBatch

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
