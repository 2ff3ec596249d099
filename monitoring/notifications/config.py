"""``settings.notifications`` (IntegrationNotificationConfig, camelCase): validate, strip unknown keys, mint
rule ids. Pure: no Django, so the API, the UI editor and the evaluator share one reading of a configuration.

Every problem is reported with its path (``rules[2].threshold``); nothing is half-applied.
"""
from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitoring import codes

MAX_RULES = 20
MAX_RECIPIENTS = 100
RULE_TYPES = ("critical_error", "error_threshold", "warning_threshold", "success_rate_drop", "recovery", "silence")
SENSITIVITIES = ("low", "medium", "high")
CODELESS = ("success_rate_drop", "recovery")
THRESHOLD_TYPES = ("error_threshold", "warning_threshold", "success_rate_drop")
AUTO_TYPES = ("error_threshold", "warning_threshold")
DEFAULT_WINDOW = "15m"
DEFAULT_QUIET_PERIOD = "1h"
DEFAULT_MIN_SAMPLE = 10
DURATION = re.compile(r"^([1-9][0-9]{0,4})(s|m|h|d)$")
TIME_OF_DAY = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class ConfigInvalid(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


def new_ulid(now_ms: int | None = None) -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (sortable by creation)."""
    value = ((now_ms if now_ms is not None else int(time.time() * 1000)) << 80) | int.from_bytes(os.urandom(10))
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def parse_duration(text: str) -> timedelta:
    match = DURATION.match(text or "")
    if not match:
        raise ValueError(text)
    number, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: number})


class _Checker:
    def __init__(self):
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def boolean(self, data: dict, key: str, path: str, required: bool = True, default: bool | None = None):
        if key not in data:
            if required:
                self.fail(f"{path}{key}", "is required (true or false)")
            return default
        if not isinstance(data[key], bool):
            self.fail(f"{path}{key}", "must be true or false")
            return default
        return data[key]

    def channels(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object {email, in_app}")
            return None
        out = {}
        for key in ("email", "in_app"):
            out[key] = self.boolean(value, key, f"{path}.")
        return out

    def code_list(self, value: Any, path: str) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(path, "must be an array of codes")
            return None
        for index, item in enumerate(value):
            if item not in codes.SENTINELS and not codes.is_known(item):
                self.fail(f"{path}[{index}]", f"{item!r} is neither a monitoring code, HTTP_nnn nor one of "
                          f"{', '.join(codes.SENTINELS)}")
        return list(dict.fromkeys(value))

    def duration(self, value: Any, path: str, maximum: timedelta) -> str | None:
        try:
            span = parse_duration(value if isinstance(value, str) else "")
        except ValueError:
            self.fail(path, "must be a duration like 30s, 15m, 1h or 1d")
            return None
        if span > maximum:
            self.fail(path, f"must be at most {maximum.days} days")
            return None
        return value


def validate(raw: Any, existing_ids: set[str] | None = None) -> dict[str, Any]:
    """The stored form of a configuration; :class:`ConfigInvalid` listing every problem."""
    check = _Checker()
    if not isinstance(raw, dict):
        raise ConfigInvalid([("notifications", "must be an object")])
    out: dict[str, Any] = {"enabled": check.boolean(raw, "enabled", "")}
    recipients = raw.get("recipients")
    if not isinstance(recipients, list):
        check.fail("recipients", "is required (an array of {user_id})")
        recipients = []
    elif len(recipients) > MAX_RECIPIENTS:
        check.fail("recipients", f"at most {MAX_RECIPIENTS} recipients")
    out["recipients"] = []
    for index, item in enumerate(recipients):
        user_id = item.get("user_id") if isinstance(item, dict) else None
        if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 64:
            check.fail(f"recipients[{index}].user_id", "is required (a user id)")
        elif user_id not in [r["user_id"] for r in out["recipients"]]:
            out["recipients"].append({"user_id": user_id})
    out["defaultChannels"] = (check.channels(raw["defaultChannels"], "defaultChannels")
                              if "defaultChannels" in raw else check.fail("defaultChannels", "is required"))
    if "monitoredUseCases" in raw:
        value = raw["monitoredUseCases"]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            check.fail("monitoredUseCases", "must be an array of use case ids")
        else:
            out["monitoredUseCases"] = list(dict.fromkeys(value))
    if "monitoredCodes" in raw:
        out["monitoredCodes"] = check.code_list(raw["monitoredCodes"], "monitoredCodes")
        if out["monitoredCodes"] is not None and "_parent_" in out["monitoredCodes"]:
            check.fail("monitoredCodes", "_parent_ names the integration scope itself; use it in rule codes")
    rules = raw.get("rules")
    if not isinstance(rules, list):
        check.fail("rules", "is required (an array of rules)")
        rules = []
    elif len(rules) > MAX_RULES:
        check.fail("rules", f"at most {MAX_RULES} rules (got {len(rules)})")
    out["rules"] = []
    seen_ids: set[str] = set()
    for index, rule in enumerate(rules):
        validated = _rule(check, rule, f"rules[{index}]")
        if validated is None:
            continue
        if validated["id"] in seen_ids:
            check.fail(f"rules[{index}].id", f"{validated['id']!r} is used by another rule")
        seen_ids.add(validated["id"])
        out["rules"].append(validated)
    if "digest" not in raw:
        check.fail("digest", "is required")
    else:
        out["digest"] = _digest(check, raw["digest"])
    if "muteUntil" in raw:
        value = raw["muteUntil"]
        if value is None:
            out["muteUntil"] = None
        elif not isinstance(value, str) or _instant(value) is None:
            check.fail("muteUntil", "must be an ISO 8601 date-time with a timezone, or null")
        else:
            out["muteUntil"] = value
    if check.problems:
        raise ConfigInvalid(check.problems)
    return out


def _instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _rule(check: _Checker, rule: Any, path: str) -> dict | None:
    if not isinstance(rule, dict):
        check.fail(path, "must be an object")
        return None
    out: dict[str, Any] = {}
    rule_id = rule.get("id")
    if rule_id is None or rule_id == "":
        out["id"] = new_ulid()
    elif not isinstance(rule_id, str) or len(rule_id) > 64:
        check.fail(f"{path}.id", "must be a string of at most 64 characters")
        out["id"] = new_ulid()
    else:
        out["id"] = rule_id
    if "name" in rule:
        if not isinstance(rule["name"], str) or len(rule["name"]) > 255:
            check.fail(f"{path}.name", "must be a string of at most 255 characters")
        else:
            out["name"] = rule["name"]
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        check.fail(f"{path}.type", f"must be one of {', '.join(RULE_TYPES)}")
        return None
    out["type"] = kind
    out["enabled"] = check.boolean(rule, "enabled", f"{path}.")
    if "channels" in rule:
        out["channels"] = check.channels(rule["channels"], f"{path}.channels")
    if "codes" in rule:
        if kind in CODELESS and rule["codes"]:
            check.fail(f"{path}.codes", f"{kind} takes no codes")
        elif kind not in CODELESS:
            out["codes"] = check.code_list(rule["codes"], f"{path}.codes")
    if "sensitivity" in rule:
        if rule["sensitivity"] not in SENSITIVITIES:
            check.fail(f"{path}.sensitivity", f"must be one of {', '.join(SENSITIVITIES)}")
        else:
            out["sensitivity"] = rule["sensitivity"]
    threshold = rule.get("threshold")
    if kind in THRESHOLD_TYPES:
        if threshold == "auto":
            if kind not in AUTO_TYPES:
                check.fail(f"{path}.threshold", f"auto is available for {' and '.join(AUTO_TYPES)}")
            out["threshold"] = "auto"
            out.setdefault("sensitivity", "medium")
            fallback = rule.get("fallbackThreshold")
            if not _number(fallback) or fallback < 0:
                check.fail(f"{path}.fallbackThreshold", "is required with threshold auto (a number >= 0)")
            else:
                out["fallbackThreshold"] = fallback
        elif not _number(threshold):
            check.fail(f"{path}.threshold", "is required (a number, or \"auto\")")
        elif threshold < 0 or (kind == "success_rate_drop" and threshold > 100):
            check.fail(f"{path}.threshold", "must be between 0 and 100" if kind == "success_rate_drop"
                       else "must be >= 0")
        else:
            out["threshold"] = threshold
    elif threshold is not None:
        check.fail(f"{path}.threshold", f"{kind} takes no threshold")
    if "fallbackThreshold" in rule and out.get("threshold") != "auto":
        if not _number(rule["fallbackThreshold"]) or rule["fallbackThreshold"] < 0:
            check.fail(f"{path}.fallbackThreshold", "must be a number >= 0")
        else:
            out["fallbackThreshold"] = rule["fallbackThreshold"]
    if kind in ("critical_error", "error_threshold", "warning_threshold", "success_rate_drop"):
        window = rule.get("window", DEFAULT_WINDOW)
        out["window"] = check.duration(window, f"{path}.window", timedelta(days=7))
    elif "window" in rule:
        check.fail(f"{path}.window", f"{kind} takes no window")
    if kind == "success_rate_drop":
        sample = rule.get("minSampleSize", DEFAULT_MIN_SAMPLE)
        if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
            check.fail(f"{path}.minSampleSize", "must be an integer >= 1")
        else:
            out["minSampleSize"] = sample
    elif "minSampleSize" in rule:
        check.fail(f"{path}.minSampleSize", "applies to success_rate_drop only")
    if kind == "silence":
        out["quietPeriod"] = check.duration(rule.get("quietPeriod", DEFAULT_QUIET_PERIOD), f"{path}.quietPeriod",
                                            timedelta(days=30))
    elif "quietPeriod" in rule:
        check.fail(f"{path}.quietPeriod", "applies to silence only")
    return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _digest(check: _Checker, raw: Any) -> dict | None:
    if not isinstance(raw, dict):
        check.fail("digest", "must be an object")
        return None
    out: dict[str, Any] = {"enabled": check.boolean(raw, "enabled", "digest.")}
    frequency = raw.get("frequency")
    if frequency not in ("daily", "weekly"):
        check.fail("digest.frequency", "must be daily or weekly")
    out["frequency"] = frequency
    if frequency == "weekly":
        day = raw.get("dayOfWeek", 1)
        if isinstance(day, bool) or day not in range(7):
            check.fail("digest.dayOfWeek", "must be 0 (Sunday) to 6 (Saturday)")
        out["dayOfWeek"] = day
    elif "dayOfWeek" in raw and raw["dayOfWeek"] is not None:
        if isinstance(raw["dayOfWeek"], bool) or raw["dayOfWeek"] not in range(7):
            check.fail("digest.dayOfWeek", "must be 0 (Sunday) to 6 (Saturday)")
        else:
            out["dayOfWeek"] = raw["dayOfWeek"]
    if not isinstance(raw.get("timeOfDay"), str) or not TIME_OF_DAY.match(raw["timeOfDay"]):
        check.fail("digest.timeOfDay", "must be HH:mm (00:00 to 23:59)")
    out["timeOfDay"] = raw.get("timeOfDay")
    zone = raw.get("timezone")
    try:
        if not isinstance(zone, str) or not zone:
            raise ZoneInfoNotFoundError
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("digest.timezone", "must be an IANA timezone such as Europe/Berlin")
    out["timezone"] = zone
    out["channels"] = (check.channels(raw["channels"], "digest.channels") if "channels" in raw
                       else check.fail("digest.channels", "is required"))
    out["includeHealthy"] = check.boolean(raw, "includeHealthy", "digest.")
    out["skipIfEmpty"] = check.boolean(raw, "skipIfEmpty", "digest.")
    return out


def default_config() -> dict[str, Any]:
    """What the UI editor starts from."""
    return {
        "enabled": False, "recipients": [], "defaultChannels": {"email": True, "in_app": True},
        "monitoredUseCases": [], "monitoredCodes": ["_error_"], "rules": [],
        "digest": {"enabled": False, "frequency": "daily", "timeOfDay": "08:00", "timezone": "UTC",
                   "channels": {"email": True, "in_app": False}, "includeHealthy": False, "skipIfEmpty": True},
        "muteUntil": None,
    }


def mute_until(config: dict) -> datetime | None:
    value = config.get("muteUntil")
    return _instant(value) if isinstance(value, str) else None
