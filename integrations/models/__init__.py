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

__all__ = [
    "AppMapping",
    "ErpEvent",
    "EventDeduplication",
    "EventProcessingLock",
    "EventSequence",
    "EventStatus",
    "Integration",
    "TrackingRecord",
    "UseCase",
    "UseCaseHistory",
    "UseCaseType",
]
