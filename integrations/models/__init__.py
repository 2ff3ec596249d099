"""Integration models, one module per concern; import them from here."""
from integrations.models.config import AppMapping, Integration, UseCase, UseCaseHistory, UseCaseType
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

__all__ = [
    "AppMapping",
    "CatalogEvent",
    "DeliveryStatus",
    "ErpEvent",
    "ErpImport",
    "EventDeduplication",
    "EventProcessingLock",
    "EventSequence",
    "EventStatus",
    "ImportStatus",
    "Integration",
    "OutboundDelivery",
    "TrackingRecord",
    "UseCase",
    "UseCaseHistory",
    "UseCaseType",
    "Webhook",
]
