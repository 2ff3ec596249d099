"""Links from entity pages to pages of apps above ``entities`` in the dependency chain.

``entities`` may not import ``integrations`` (see docs/architecture.md), yet an entity's page links to the
inbound event that last changed it. ``integrations`` registers the link builder at start-up
(``IntegrationsConfig.ready``); without one, the page shows the event id without a link."""
from collections.abc import Callable

EventLink = Callable[[object, str], "str | None"]

_event_link: EventLink | None = None


def register_event_link(builder: EventLink) -> None:
    global _event_link
    _event_link = builder


def event_link(organization, event_id: str) -> str | None:
    """The URL of the stored event ``event_id`` of ``organization``, or None (unknown, purged, no builder)."""
    if not event_id or _event_link is None:
        return None
    return _event_link(organization, event_id)
