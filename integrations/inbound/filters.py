"""The event browser's filter as plain criteria, shared by its pages, the replay-all job and
``manage.py replay_events``: status, use case, received from/to, correlation id, id prefix search."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from integrations.models import ErpEvent, UseCase


@dataclass
class EventCriteria:
    status: str = ""
    use_case_id: str = ""
    since: datetime | None = None
    until: datetime | None = None
    correlation_id: str = ""
    q: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return {key: value for key, value in data.items() if value}

    @classmethod
    def from_json(cls, data: dict) -> EventCriteria:
        values = {key: data.get(key) or "" for key in ("status", "use_case_id", "correlation_id", "q")}
        return cls(**values, since=_datetime(data.get("since")), until=_datetime(data.get("until")))


def _datetime(value):
    return parse_datetime(value) if isinstance(value, str) and value else None


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def apply_criteria(qs: QuerySet[ErpEvent], *, status="", use_case: UseCase | None = None, since=None, until=None,
                   correlation_id="", q="") -> QuerySet[ErpEvent]:
    if status:
        qs = qs.filter(status=status)
    if use_case is not None:
        match = Q(event_name=use_case.name)
        if use_case.slug:
            match |= Q(use_case_slug=use_case.slug)
        qs = qs.filter(match, integration_id=use_case.integration_id)
    if since:
        qs = qs.filter(received_at__gte=since)
    if until:
        qs = qs.filter(received_at__lte=until)
    if correlation_id:
        qs = qs.filter(correlation_id=correlation_id)
    if q:
        text = q.strip()
        match = Q(correlation_id__startswith=text) | Q(deduplication_id__startswith=text)
        if _uuid(text):
            match |= Q(pk=_uuid(text))
        qs = qs.filter(match)
    return qs


def matching_events(integration, criteria: EventCriteria) -> QuerySet[ErpEvent]:
    """The integration's events matching ``criteria`` (an unknown use case matches nothing)."""
    use_case = None
    if criteria.use_case_id:
        use_case = UseCase.objects.filter(integration=integration, pk=_uuid(criteria.use_case_id)).first() \
            if _uuid(criteria.use_case_id) else None
        if use_case is None:
            return ErpEvent.objects.none()
    return apply_criteria(
        ErpEvent.objects.filter(integration=integration), status=criteria.status, use_case=use_case,
        since=criteria.since, until=criteria.until, correlation_id=criteria.correlation_id, q=criteria.q,
    )
