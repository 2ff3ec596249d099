"""Integration models, one module per concern; import them from here."""
from integrations.models.config import AppMapping, Integration, UseCase, UseCaseHistory, UseCaseType
from integrations.models.connectors import TypesCommit
from integrations.models.documentation import GENERAL_DOC_ID, DocumentationPage, DocumentationScope
from integrations.models.events import (
    ErpEvent,
    EventDeduplication,
    EventProcessingLock,
    EventSequence,
    EventStatus,
    TrackingRecord,
)
from integrations.models.imports import ErpImport, ImportStatus
from integrations.models.outbound import CatalogEvent, DeliveryStatus, OutboundDelivery, Webhook
from integrations.models.outbound_stream import OutboundQueueItem, OutboundStream, QueueItemState
from integrations.models.portals import PortalConfig, PortalOrigin
from integrations.models.replay_jobs import ReplayJob, ReplayJobStatus
from integrations.models.samples import SamplePayload

__all__ = [
    "AppMapping",
    "CatalogEvent",
    "DeliveryStatus",
    "DocumentationPage",
    "DocumentationScope",
    "ErpEvent",
    "ErpImport",
    "EventDeduplication",
    "EventProcessingLock",
    "EventSequence",
    "EventStatus",
    "GENERAL_DOC_ID",
    "ImportStatus",
    "Integration",
    "OutboundDelivery",
    "ReplayJob",
    "ReplayJobStatus",
    "SamplePayload",
    "PortalConfig",
    "PortalOrigin",
    "OutboundQueueItem",
    "OutboundStream",
    "QueueItemState",
    "TrackingRecord",
    "TypesCommit",
    "UseCase",
    "UseCaseHistory",
    "UseCaseType",
    "Webhook",
]
