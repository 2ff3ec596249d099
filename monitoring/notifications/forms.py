"""The rules editor's form fields ⇄ a ``settings.notifications`` dict (camelCase). Parsing keeps whatever the
user typed so the validator names every bad field; it never decides validity itself."""
from __future__ import annotations

from typing import Any

RULE_FIELDS = ("id", "type", "name", "threshold", "fallbackThreshold", "sensitivity", "window", "minSampleSize",
               "quietPeriod", "codes")


def _number(text: str) -> Any:
    text = (text or "").strip()
    if text == "":
        return None
    if text == "auto":
        return "auto"
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text  # reported by the validator, named by its path


def _codes(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ",").split(",") if part.strip()]


def parse(post) -> tuple[dict[str, Any], list[int]]:
    """A config dict from the editor's POST (``QueryDict``), and the form row of each rule (``rules[i]`` in an
    error path is form row ``rows[i]``)."""
    rows: list[int] = []
    cfg: dict[str, Any] = {
        "enabled": post.get("enabled") == "on",
        "recipients": [{"user_id": uid} for uid in post.getlist("recipients")],
        "defaultChannels": {"email": post.get("default_email") == "on", "in_app": post.get("default_in_app") == "on"},
        "monitoredUseCases": post.getlist("monitored_use_cases"),
        "monitoredCodes": _codes(post.get("monitored_codes", "")),
        "muteUntil": (post.get("mute_until") or "").strip() or None,
        "rules": [],
        "digest": {
            "enabled": post.get("digest_enabled") == "on",
            "frequency": post.get("digest_frequency") or "daily",
            "timeOfDay": (post.get("digest_time") or "").strip(),
            "timezone": (post.get("digest_timezone") or "").strip(),
            "channels": {"email": post.get("digest_email") == "on", "in_app": post.get("digest_in_app") == "on"},
            "includeHealthy": post.get("digest_include_healthy") == "on",
            "skipIfEmpty": post.get("digest_skip_if_empty") == "on",
        },
    }
    if cfg["digest"]["frequency"] == "weekly":
        cfg["digest"]["dayOfWeek"] = _number(post.get("digest_day", "1"))
    if cfg["muteUntil"] and len(cfg["muteUntil"]) == 16:  # a datetime-local value, meant as UTC
        cfg["muteUntil"] += ":00Z"
    count = int(post.get("rule_count") or 0)
    for index in range(min(count, 50)):
        prefix = f"rule-{index}-"
        kind = post.get(prefix + "type", "")
        if not kind or post.get(prefix + "delete") == "on":
            continue
        rule: dict[str, Any] = {"type": kind, "enabled": post.get(prefix + "enabled") == "on"}
        if post.get(prefix + "id"):
            rule["id"] = post[prefix + "id"]
        if post.get(prefix + "name", "").strip():
            rule["name"] = post[prefix + "name"].strip()
        for key, name in (("threshold", "threshold"), ("fallbackThreshold", "fallback"),
                          ("minSampleSize", "min_sample")):
            value = _number(post.get(prefix + name, ""))
            if value is not None:
                rule[key] = value
        for key, name in (("window", "window"), ("quietPeriod", "quiet"), ("sensitivity", "sensitivity")):
            if post.get(prefix + name, "").strip():
                rule[key] = post[prefix + name].strip()
        codes = _codes(post.get(prefix + "codes", ""))
        if codes:
            rule["codes"] = codes
        if post.get(prefix + "own_channels") == "on":
            rule["channels"] = {"email": post.get(prefix + "email") == "on", "in_app": post.get(prefix + "in_app") == "on"}
        cfg["rules"].append(rule)
        rows.append(index)
    return cfg, rows
