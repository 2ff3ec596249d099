"""Integration models, one module per concern; import them from here."""
from .config import AppMapping, Integration, UseCase, UseCaseHistory, UseCaseType
from .events import (
    ErpEvent,
    EventDeduplication,
    EventProcessingLock,
    EventSequence,
    EventStatus,
    TrackingRecord,
)
from .imports import ErpImport, ImportStatus
from .outbound import CatalogEvent, DeliveryStatus, OutboundDelivery, Webhook

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
