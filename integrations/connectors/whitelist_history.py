"""Read model of the whitelist page: every change as a diff between consecutive versions.

History rows are snapshots taken *before* an update, so the change a row stands for goes from its
configuration to the next newer one (the next row, or the current state for the newest row); its author is
the row's ``changed_by`` and its description the newer version's ``change_description``.
"""
from __future__ import annotations

from integrations.connectors import selectors
from integrations.models import UseCase

FIELDS = (("allowed_domains", "domains"), ("allowed_ips", "IP ranges"))


def _lists(config) -> dict[str, list[str]]:
    config = config or {}
    return {key: list(config.get(key) or []) for key, _ in FIELDS}


def whitelist_changes(use_case: UseCase, limit: int = selectors.HISTORY_MAX) -> list[dict]:
    rows = selectors.whitelist_history(use_case, limit)
    newer_config, newer_description = use_case.configuration, use_case.change_description
    changes = []
    for row in rows:
        before, after = _lists(row.configuration), _lists(newer_config)
        diff = []
        for key, label in FIELDS:
            diff.append({"label": label,
                         "added": [x for x in after[key] if x not in before[key]],
                         "removed": [x for x in before[key] if x not in after[key]],
                         "kept": [x for x in after[key] if x in before[key]]})
        changes.append({"at": row.history_created_at, "by": row.changed_by or "—",
                        "description": newer_description or "", "diff": diff, "snapshot": after})
        newer_config, newer_description = row.configuration, row.change_description
    return changes
