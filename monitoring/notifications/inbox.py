"""The in-app inbox of one user in one organisation: newest first, unread count, marking read."""
from __future__ import annotations

from django.utils import timezone

from monitoring.models import InboxNotification, NotificationPreference


def items(user, organization, limit: int = 100) -> list[InboxNotification]:
    return list(InboxNotification.objects.filter(user=user, organization=organization).order_by(
        "-created_at", "-id")[:limit])


def unread_count(user, organization=None) -> int:
    qs = InboxNotification.objects.filter(user=user, read_at__isnull=True)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.count()


def mark_read(user, organization, item_id=None) -> int:
    """Mark one item (or all) of the user's unread items read; returns how many changed."""
    qs = InboxNotification.objects.filter(user=user, organization=organization, read_at__isnull=True)
    if item_id is not None:
        if not str(item_id).isdigit():
            return 0
        qs = qs.filter(pk=int(item_id))
    return qs.update(read_at=timezone.now())


def wants_notifications(user) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference is None or preference.enabled


def set_wants_notifications(user, enabled: bool) -> None:
    """Switch alert notifications to this user on or off (off: alerts are recorded as recipient_opt_out)."""
    NotificationPreference.objects.update_or_create(user=user, defaults={"enabled": enabled})
