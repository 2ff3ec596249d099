"""erpintegration: a self-hosted ERP integration hub."""
from erpintegration.celery import app as celery_app

__all__ = ("celery_app",)
