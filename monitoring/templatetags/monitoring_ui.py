"""Template helpers of the monitoring pages: the inbox's unread count for the side navigation."""
from django import template

from monitoring.notifications import inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_inbox_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return inbox.unread_count(user, getattr(request, "organization", None))
