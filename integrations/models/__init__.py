"""Integration models, one module per concern; import them from here."""
from .config import AppMapping, Integration, UseCase, UseCaseHistory, UseCaseType

__all__ = ["AppMapping", "Integration", "UseCase", "UseCaseHistory", "UseCaseType"]
