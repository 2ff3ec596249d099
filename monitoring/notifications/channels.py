"""Delivering a notification: email through Django's email backend, in-app through the inbox. Recipients are
checked at send time: members of the organisation only, and a user who switched notifications off is skipped
(``recipient_opt_out``)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from erpintegration.models import Membership
from monitoring.models import InboxNotification, NotificationPreference

logger = logging.getLogger(__name__)


@dataclass
class Message:
    kind: str  # alert | digest | test
    severity: str
    title: str
    body: str
    integration_id: str = ""
    link: str = ""
    history_id: str = ""


@dataclass
class Delivery:
    delivered_to: list[str] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)
    not_members: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def eligible_users(org_id: str, user_ids: list[str]):
    """(members who want notifications, opted-out ids, ids that are not members)."""
    numeric = [int(u) for u in user_ids if str(u).isdigit()]
    members = {str(m.user_id): m.user for m in Membership.objects.filter(
        organization_id=org_id, user_id__in=numeric).select_related("user")}
    off = {str(p.user_id) for p in NotificationPreference.objects.filter(user_id__in=numeric, enabled=False)}
    wanted = [members[u] for u in user_ids if u in members and u not in off]
    return wanted, [u for u in user_ids if u in members and u in off], [u for u in user_ids if u not in members]


def send(org_id: str, user_ids: list[str], channels: dict, message: Message) -> Delivery:
    users, opted_out, not_members = eligible_users(org_id, user_ids)
    result = Delivery(opted_out=opted_out, not_members=not_members)
    for user in users:
        ok = False
        if channels.get("in_app"):
            InboxNotification.objects.create(
                organization_id=org_id, user=user, integration_id=message.integration_id,
                history_id=message.history_id, kind=message.kind, severity=message.severity,
                title=message.title[:500], body=message.body, link=message.link[:500])
            ok = True
        if channels.get("email"):
            if user.email:
                try:
                    link = f"\n\n{settings.PUBLIC_BASE_URL}{message.link}" if message.link else ""
                    send_mail(message.title, message.body + link,
                              settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
                    ok = True
                except Exception as exc:  # the backend's failure (SMTP down, refused): reported, never raised
                    logger.warning("notification email to user %s failed: %s", user.pk, exc)
                    result.failures.append(f"email to user {user.pk}: {exc}")
            else:
                result.failures.append(f"user {user.pk} has no email address")
        if ok:
            result.delivered_to.append(str(user.pk))
    return result


def user_model():
    return get_user_model()
