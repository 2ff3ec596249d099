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
from .outbound import CatalogEvent, DeliveryStatus, OutboundDelivery, Webhook
from .replay_jobs import ReplayJob, ReplayJobStatus
from .samples import SamplePayload

__all__ = [
    "AppMapping",
    "CatalogEvent",
    "DeliveryStatus",
    "ErpEvent",
    "EventDeduplication",
    "EventProcessingLock",
    "EventSequence",
    "EventStatus",
    "Integration",
    "OutboundDelivery",
    "ReplayJob",
    "ReplayJobStatus",
    "SamplePayload",
    "TrackingRecord",
    "UseCase",
    "UseCaseHistory",
    "UseCaseType",
    "Webhook",
]
