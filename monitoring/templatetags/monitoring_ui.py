"""Template helpers of the monitoring pages: the inbox's unread count for the side navigation."""
from django import template

from ..models import InboxNotification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_inbox_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    organization = getattr(request, "organization", None)
    qs = InboxNotification.objects.filter(user=user, read_at__isnull=True)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.count()
