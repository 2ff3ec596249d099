"""What a rule would have done over the last days: the evaluator's state machine replayed on 5-minute steps
over one bucketed count series (one query per rule), so the editor can show fired/recovered/debounced counts
before a rule is saved. Auto thresholds use the fallback (the baseline needs the live history)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitoring import aggregates, rollups
from monitoring.notifications import config, scope
from monitoring.rows import iso

STEP = rollups.BUCKET


@dataclass
class Preview:
    rule_id: str
    fired: int = 0
    recovered: int = 0
    debounced: int = 0
    suppressed_sample: int = 0
    alerting_minutes: int = 0
    firings: list[str] = field(default_factory=list)
    note: str = ""


def _series(org_id, integration_id, wheres, start, end, measures) -> dict[datetime, dict]:
    out: dict[datetime, dict] = {}
    for where in wheres:
        for key, values in aggregates.count(org_id=org_id, integration_id=integration_id,
                                            window=aggregates.Window(start, end - timedelta(microseconds=1)),
                                            measures=measures, where=where, interval=("5m", STEP)).items():
            entry = out.setdefault(key[0], {})
            for name, value in values.items():
                entry[name] = entry.get(name, 0) + (value or 0)
    return out


def preview_rule(org_id: str, integration_id: str, cfg: dict, rule: dict, now: datetime,
                 days: int = 7) -> Preview:
    result = Preview(rule_id=rule.get("id", ""))
    kind = rule["type"]
    if kind == "recovery":
        result.note = "notifies when another rule recovers"
        return result
    span = config.parse_duration(rule.get("quietPeriod") if kind == "silence" else rule.get("window") or "15m")
    steps_in_window = max(1, -(-int(span.total_seconds()) // int(STEP.total_seconds())))
    end = rollups.bucket_of(now)
    start = end - timedelta(days=days)
    measures = [aggregates.Measure("n")]
    if kind == "success_rate_drop":
        measures = [aggregates.Measure("success", where={"level": "success"}),
                    aggregates.Measure("n", where={"level__in": ["success", "error", "warning"]})]
    series = _series(org_id, integration_id, scope.filters(cfg, rule), start - STEP * steps_in_window, end, measures)
    threshold = rule.get("threshold")
    if threshold == "auto":
        threshold = rule.get("fallbackThreshold")
        result.note = "auto threshold previewed with its fallback"
    state = "ok"
    step = start
    while step < end:
        bucket_keys = [step - STEP * i for i in range(steps_in_window)]
        total = sum(series.get(k, {}).get("n", 0) for k in bucket_keys)
        fresh = series.get(bucket_keys[0], {}).get("n", 0)
        if kind == "silence":
            firing = total == 0
        elif kind == "critical_error":
            firing = total >= 1
        elif kind == "success_rate_drop":
            success = sum(series.get(k, {}).get("success", 0) for k in bucket_keys)
            if total < rule.get("minSampleSize", config.DEFAULT_MIN_SAMPLE):
                result.suppressed_sample += 1
                step += STEP
                continue
            firing = success * 100.0 / total < float(threshold)
        else:
            firing = total >= float(threshold)
        if firing and state in ("ok", "recovered"):
            state = "alerting"
            result.fired += 1
            if len(result.firings) < 20:
                result.firings.append(iso(step + STEP))
        elif firing and fresh > 0 and kind != "silence":
            result.debounced += 1
        elif not firing and state == "alerting":
            state = "recovered"
            result.recovered += 1
        elif not firing and state == "recovered":
            state = "ok"
        if state == "alerting":
            result.alerting_minutes += int(STEP.total_seconds() // 60)
        step += STEP
    return result
