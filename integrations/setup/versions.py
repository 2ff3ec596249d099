"""Use-case versions as the history page shows them, built on the history snapshots.

A snapshot stores the state *before* an update and ``changed_by`` names who made that update, so the
author of the version a snapshot holds is the ``changed_by`` of the next older snapshot, and the author of
the current state is the ``changed_by`` of the newest snapshot. The oldest state was the creation.
"""
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from integrations.models import UseCase, UseCaseHistory
from integrations.setup import selectors

CURRENT = "current"
PAGE_SIZE = 25


@dataclass(frozen=True)
class Version:
    ref: str  # a history id, or "current"
    number: int
    name: str
    enabled: bool
    configuration: Any
    change_description: str
    when: datetime
    who: str
    is_current: bool = False

    @property
    def document(self) -> dict:
        """What the diff compares: the parts of a use case a version changes."""
        return {"name": self.name, "enabled": self.enabled, "configuration": self.configuration}


@dataclass(frozen=True)
class VersionPage:
    versions: list[Version]
    next_cursor: str | None
    total: int


def _older_than(entry: UseCaseHistory):
    return Q(history_created_at__lt=entry.history_created_at) | Q(
        history_created_at=entry.history_created_at, id__lt=entry.id
    )


def _history(org, use_case: UseCase):
    return UseCaseHistory.objects.filter(organization=org, use_case=use_case)


def _with_usernames(versions: list[Version]) -> list[Version]:
    """``changed_by`` holds a user id (v1.33): show usernames, looked up in one query. Rows written before
    hold names (or token ids) and are shown as stored."""
    ids = {int(v.who) for v in versions if v.who.isdigit()}
    if not ids:
        return versions
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    return [replace(v, who=names.get(int(v.who), v.who)) if v.who.isdigit() else v for v in versions]


def _from_entry(entry: UseCaseHistory, number: int, who: str) -> Version:
    return Version(
        ref=str(entry.id),
        number=number,
        name=entry.name,
        enabled=entry.enabled,
        configuration=entry.configuration,
        change_description=entry.change_description or "",
        when=entry.updated_at,
        who=who,
    )


def current_version(org, use_case: UseCase, total: int | None = None) -> Version:
    newest = _history(org, use_case).order_by("-history_created_at", "-id").first()
    total = total if total is not None else _history(org, use_case).count() + 1
    return _with_usernames([Version(
        ref=CURRENT,
        number=total,
        name=use_case.name,
        enabled=use_case.enabled,
        configuration=use_case.configuration,
        change_description=use_case.change_description or "",
        when=use_case.updated_at,
        who=use_case.changed_by or (newest.changed_by if newest else ""),
        is_current=True,
    )])[0]


def version_page(org, use_case: UseCase, cursor: str | None = None) -> VersionPage:
    """Newest first: the current state on the first page, then PAGE_SIZE snapshots per page."""
    total = _history(org, use_case).count() + 1
    page = selectors.use_case_history_page(org, use_case, cursor, page_size=PAGE_SIZE)
    entries = page.entries
    older_author = ""
    if entries:
        oldest_on_page = entries[-1]
        older = _history(org, use_case).filter(_older_than(oldest_on_page)).order_by("-history_created_at", "-id")
        older_count = older.count()
        next_older = older.only("changed_by").first()
        older_author = next_older.changed_by if next_older else ""
        first_number = older_count + len(entries)
    else:
        first_number = 0
    versions: list[Version] = [] if cursor else [current_version(org, use_case, total)]
    for index, entry in enumerate(entries):
        who = entries[index + 1].changed_by if index + 1 < len(entries) else older_author
        versions.append(_from_entry(entry, first_number - index, who))
    return VersionPage(versions=_with_usernames(versions), next_cursor=page.next_cursor, total=total)


def get_version(org, use_case: UseCase, ref: str) -> Version:
    """One version by history id, or the current state for ``"current"``; NotFound otherwise."""
    if ref == CURRENT:
        return current_version(org, use_case)
    entry = selectors.get_history_entry(org, use_case, ref)
    older = _history(org, use_case).filter(_older_than(entry)).order_by("-history_created_at", "-id")
    next_older = older.only("changed_by").first()
    return _with_usernames([_from_entry(entry, older.count() + 1, next_older.changed_by if next_older else "")])[0]
