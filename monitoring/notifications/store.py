"""Reading and saving an integration's ``settings.notifications`` for the UI editor. The integration row is
looked up by app label (monitoring imports nothing from ``integrations``); the save changes only that key."""
from __future__ import annotations

import uuid

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from monitoring.notifications import config


def integration_of(org_id: str, integration_id):
    try:
        key = uuid.UUID(str(integration_id))
    except ValueError:
        return None
    return apps.get_model("integrations", "Integration").objects.filter(organization_id=org_id, pk=key).first()


def config_of(integration) -> dict:
    return (integration.settings or {}).get("notifications") or config.default_config()


@transaction.atomic
def save_config(integration, raw: dict) -> dict:
    """Validate (:class:`config.ConfigInvalid` otherwise) and store; other settings keys stay as they are."""
    validated = config.validate(raw)
    model = type(integration)
    locked = model.objects.select_for_update().get(pk=integration.pk)
    locked.settings = {**(locked.settings or {}), "notifications": validated}
    locked.updated_at = timezone.now()
    locked.save(update_fields=["settings", "updated_at"])
    integration.settings = locked.settings
    return validated
