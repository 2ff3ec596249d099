"""Integration models, one module per concern; import them from here."""
from .config import AppMapping, Integration, UseCase, UseCaseHistory, UseCaseType
from .documentation import GENERAL_DOC_ID, DocumentationPage, DocumentationScope
from .events import (
    ErpEvent,
    EventDeduplication,
    EventProcessingLock,
    EventSequence,
    EventStatus,
    TrackingRecord,
)
from .outbound import CatalogEvent, DeliveryStatus, OutboundDelivery, Webhook
from .portals import PortalConfig, PortalOrigin

__all__ = [
    "AppMapping",
    "CatalogEvent",
    "DeliveryStatus",
    "DocumentationPage",
    "DocumentationScope",
    "ErpEvent",
    "EventDeduplication",
    "EventProcessingLock",
    "EventSequence",
    "EventStatus",
    "GENERAL_DOC_ID",
    "Integration",
    "OutboundDelivery",
    "PortalConfig",
    "PortalOrigin",
    "TrackingRecord",
    "UseCase",
    "UseCaseHistory",
    "UseCaseType",
    "Webhook",
]
