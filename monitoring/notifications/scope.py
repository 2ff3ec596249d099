"""Which store rows a rule counts, as rollup lookups (``aggregates.count`` ``where``).

[interp] The level a rule counts is fixed by its type (``critical_error``/``error_threshold``: error,
``warning_threshold``: warning); its code scope (rule ``codes``, ``_parent_`` = the integration's
``monitoredCodes``, default ``_error_``) narrows to concrete codes when it names any. ``silence`` counts every row
of its scope (default ``_any_``); ``success_rate_drop`` counts all rows of the monitored use cases.
"""
from __future__ import annotations

from monitoring import codes

RULE_LEVEL = {"critical_error": "error", "error_threshold": "error", "warning_threshold": "warning"}
DEFAULT_CODES = {"critical_error": ["_parent_"], "error_threshold": ["_parent_"], "warning_threshold": ["_parent_"],
                 "silence": ["_any_"]}
SENTINEL_LEVEL = {"_error_": "error", "_warning_": "warning", "_success_": "success", "_info_": "info"}


def resolved_codes(config: dict, rule: dict) -> list[str]:
    names = rule.get("codes") or DEFAULT_CODES.get(rule["type"], [])
    out: list[str] = []
    for name in names:
        if name == "_parent_":
            out.extend(config.get("monitoredCodes") or ["_error_"])
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def use_case_filter(config: dict) -> dict:
    ids = config.get("monitoredUseCases") or []
    return {"use_case_id__in": list(ids)} if ids else {}


def filters(config: dict, rule: dict) -> list[dict]:
    """Lookups whose counts add up to the rule's measure (more than one only for a mixed ``silence`` scope,
    where any count above zero is what matters)."""
    base = use_case_filter(config)
    kind = rule["type"]
    if kind == "success_rate_drop":
        return [base]
    names = resolved_codes(config, rule)
    concrete = [name for name in names if name not in codes.SENTINELS]
    if kind in RULE_LEVEL:
        where = {**base, "level": RULE_LEVEL[kind]}
        if concrete:
            where["code__in"] = concrete
        return [where]
    # silence
    if "_any_" in names or not names:
        return [base]
    levels = [SENTINEL_LEVEL[name] for name in names if name in SENTINEL_LEVEL]
    out = []
    if levels:
        out.append({**base, "level__in": levels})
    if concrete:
        out.append({**base, "code__in": concrete})
    return out
