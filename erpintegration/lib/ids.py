"""Ids that arrive in URLs and bodies: one parser, and one org-scoped lookup that turns every miss into the
same NotFound (an unknown id, a malformed id and another organisation's object look alike to the caller)."""
from __future__ import annotations

import uuid

from erpintegration.exceptions import NotFound


def parse_uuid(value) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def get_for_org(queryset, organization, object_id, label: str):
    """The object of ``queryset`` with primary key ``object_id`` owned by ``organization``.

    Raises ``NotFound("<label> <object_id> not found")`` otherwise; the API answers it as a 404
    ``{"code": "NOT_FOUND", ...}`` and the pages as a 404 page (``erpintegration.ui.access.found_or_404``).
    """
    key = parse_uuid(object_id)
    found = queryset.filter(organization=organization, pk=key).first() if key else None
    if found is None:
        raise NotFound(f"{label} {object_id} not found")
    return found
