"""Monitoring v2: events (filters, keyset cursor), associated events, traces, external spans, stats and time
series over the one store; the v1 inbound operations keep their answers (skipped stays skipped)."""
from datetime import UTC, datetime, timedelta

import pytest

from erpintegration.tokens import issue_token
from monitoring import services
from monitoring.models import Source
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.monitoring.helpers import inbound
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def integration(owner):
    return IntegrationFactory(organization=owner.organization)


@pytest.fixture
def use_case(integration):
    return UseCaseFactory(integration=integration, slug="business_partner")


def v2(persona, integration, what, body=None, method="post"):
    url = f"/v2/integrations/{integration.id}/monitoring/{what}"
    return persona.client.post(url, body or {}, format="json") if method == "post" else persona.client.get(url)


def row(integration, at, code="", level=None, **extra):
    fields = {"org_id": integration.organization_id, "integration_id": integration.id, "source": Source.SYSTEM,
              "event_id": "e1", "code": code, "level": level, "at": at, "message": "m"}
    fields.update(extra)
    return services.record(**fields)


def test_v1_skipped_is_info_in_v2_and_stays_skipped_in_v1(owner, integration):
    inbound(integration, T0, status="skipped", event_id="e-skip")
    body = v2(owner, integration, "events").json()
    assert_matches_contract("queryMonitoringEventsV2", v2(owner, integration, "events"))
    [event] = body["data"]
    assert (event["level"], event["code"], event["use_case_type"]) == ("info", "STEP_DISABLED", "inbound")
    v1 = owner.client.post(f"/v1/integrations/{integration.id}/monitoring/inbound-events", {}, format="json")
    assert v1.json()["data"][0]["status"] == "skipped"
    assert v2(owner, integration, "events", {"level": "skipped"}).json() == {"data": [], "next_cursor": None,
                                                                              "has_more": False}


def test_rows_only_v2_knows_stay_out_of_v1(owner, integration):
    row(integration, T0, code="MSG_ENQUEUED")
    assert len(v2(owner, integration, "events").json()["data"]) == 1
    v1 = owner.client.post(f"/v1/integrations/{integration.id}/monitoring/inbound-events", {}, format="json")
    assert v1.json()["data"] == []


def test_keyset_pages_walk_every_row_once_newest_first(owner, integration):
    for n in range(7):
        row(integration, T0 + timedelta(seconds=n // 2), event_id=f"e{n}")  # ties on created_at
    seen, cursor = [], None
    while True:
        body = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = v2(owner, integration, "events", body)
        assert_matches_contract("queryMonitoringEventsV2", response)
        page = response.json()
        seen += [item["event_id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            assert cursor is None
            break
    assert sorted(seen) == [f"e{n}" for n in range(7)] and len(set(seen)) == 7
    assert seen[0] == "e6"


def test_filters_and_general_and_unknown_use_cases(owner, integration, use_case):
    row(integration, T0, use_case_id=use_case.id, use_case_type="inbound", event_id="known")
    row(integration, T0, use_case_id="00000000-0000-0000-0000-0000000000aa", event_id="gone")
    row(integration, T0, event_id="general", code="ACK_TIMEOUT")
    ids = lambda body: [e["event_id"] for e in v2(owner, integration, "events", body).json()["data"]]  # noqa: E731
    assert ids({"use_case_id": ""}) == ["general"]
    assert ids({"use_case_id": "__unknown__"}) == ["gone"]
    assert ids({"use_case_id": str(use_case.id)}) == ["known"]
    assert ids({"code": "ACK_TIMEOUT", "level": "warning"}) == ["general"]
    assert ids({"use_case_type": "inbound"}) == ["known"]


def test_bad_filters_are_400_naming_the_field(owner, integration):
    for body, field in (({"level": "fatal"}, "level"), ({"limit": 101}, "limit"),
                        ({"cursor": {"created_at": "2026-01-01T00:00:00Z", "id": "nope"}}, "id")):
        response = v2(owner, integration, "events", body)
        assert response.status_code == 400 and field in response.json()["message"], response.json()


def test_trace_rolls_up_oldest_first_and_caps(owner, integration, monkeypatch):
    row(integration, T0, correlation_id="c-1", code="DUPLICATE_EVENT")
    row(integration, T0 + timedelta(seconds=1), correlation_id="c-1", code="")
    row(integration, T0 + timedelta(seconds=2), correlation_id="c-1", code="ACK_TIMEOUT")
    response = v2(owner, integration, "traces/c-1", method="get")
    assert_matches_contract("getMonitoringTraceByCorrelation", response)
    body = response.json()
    assert body["status"] == "warning" and body["span_count"] == 3 and body["truncated"] is False
    assert [s["code"] for s in body["spans"]] == ["DUPLICATE_EVENT", "", "ACK_TIMEOUT"]
    monkeypatch.setattr("monitoring.selectors_v2.TRACE_CAP", 2)
    from monitoring import selectors_v2
    capped = selectors_v2.trace(owner.organization.id, str(integration.id), "c-1", cap=2)
    assert capped["truncated"] is True and capped["span_count"] == 2 and capped["status"] == "success"
    empty = v2(owner, integration, "traces/none", method="get").json()
    assert empty["status"] == "info" and empty["spans"] == [] and empty["started_at"] is None


def test_associated_events_oldest_first_unknown_is_empty(owner, integration):
    row(integration, T0 + timedelta(seconds=5), event_id="e-a", code="ACK_CONFIRMED")
    row(integration, T0, event_id="e-a", code="")
    response = v2(owner, integration, "events/e-a/associated", method="get")
    assert_matches_contract("getAssociatedMonitoringEvents", response)
    assert [e["code"] for e in response.json()["monitoring_events"]] == ["", "ACK_CONFIRMED"]
    assert v2(owner, integration, "events/nope/associated", method="get").json() == {
        "monitoring_events": [], "inbound_event": None}


def test_external_spans_validated_one_by_one(owner, integration, use_case):
    spans = [
        {"correlation_id": "c-x", "level": "error", "use_case_slug": "business_partner",
         "occurred_at": "2026-03-10T12:00:00Z", "message": "SAP rejected", "detail": {"http_status": 500}},
        {"correlation_id": "c-x", "level": "fatal", "use_case_slug": "business_partner",
         "occurred_at": "2026-03-10T12:00:01Z", "message": "bad level"},
        {"correlation_id": "c-x", "level": "info", "use_case_slug": "nope",
         "occurred_at": "2026-03-10T12:00:02Z", "message": "unknown slug"},
        {"correlation_id": "c-x", "level": "success", "use_case_slug": "business_partner",
         "occurred_at": "2026-03-10T12:00:03Z", "message": "ok"},
    ]
    response = v2(owner, integration, "external-events", {"events": spans})
    assert response.status_code == 202
    assert_matches_contract("ingestExternalMonitoringEvents", response)
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected", "accepted"]
    assert "level" in body["results"][1]["reason"] and "use_case_slug" in body["results"][2]["reason"]
    trace = v2(owner, integration, "traces/c-x", method="get").json()
    assert [s["code"] for s in trace["spans"]] == ["EXTERNAL_ERROR", "EXTERNAL_SUCCESS"]
    assert trace["spans"][0]["use_case_id"] == str(use_case.id) and trace["spans"][0]["created_at"] == \
        "2026-03-10T12:00:00Z"
    assert trace["status"] == "error"


def test_external_spans_need_the_ingest_scope(owner, integration):
    narrow = make_api_persona(owner.organization)
    issued = issue_token(owner.organization, "viewer", scopes=["integration:view"])
    narrow.client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    response = v2(narrow, integration, "external-events", {"events": [{}]})
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"


def test_stats_v2_excludes_info_from_the_rate(owner, integration, use_case):
    row(integration, T0, use_case_id=use_case.id, use_case_type="inbound")
    row(integration, T0, code="MAPPING_EXPRESSION_FAILED", use_case_type="inbound", use_case_id=use_case.id)
    row(integration, T0, code="DUPLICATE_EVENT", use_case_type="inbound")
    row(integration, T0 + timedelta(hours=3), code="ACK_TIMEOUT")
    window = {"from_date": "2026-03-10T00:00:00Z", "to_date": "2026-03-10T23:59:59Z"}
    response = v2(owner, integration, "stats", {**window, "group_by": "level"})
    assert_matches_contract("getMonitoringStatsV2", response)
    body = response.json()
    assert (body["total_events"], body["success_count"], body["error_count"], body["info_count"],
            body["warning_count"], body["skipped_count"], body["ack_timeout_count"]) == (4, 1, 1, 1, 1, 0, 1)
    assert body["success_rate"] == pytest.approx(33.33)
    assert body["last_error_at"] == "2026-03-10T12:00:30Z"
    assert [b["level"] for b in body["breakdown"]] == ["error", "info", "success", "warning"]
    only_inbound = v2(owner, integration, "stats", {**window, "use_case_types": ["inbound"],
                                                    "use_case_type": "outbound"}).json()
    assert only_inbound["total_events"] == 3


def test_stats_v2_incoming_counts_received_events(owner, integration, use_case):
    def sync(event_id, sync_type):
        return services.build_inbound_event(
            org_id=integration.organization_id, event_id=event_id, integration_id=integration.id,
            use_case_id=use_case.id, sync_type=sync_type, status="success", received_at=T0, completed_at=T0)

    # one batch per event, as the pipeline writes them: in-0 wrote entities and meter readings
    services.record_inbound_events([sync("in-0", "entity"), sync("in-0", "meter_reading")])
    for n in (1, 2):
        services.record_inbound_events([sync(f"in-{n}", "entity")])
    body = v2(owner, integration, "stats", {"from_date": "2026-03-10T00:00:00Z", "to_date": "2026-03-11T00:00:00Z",
                                            "source": "incoming", "group_by": "use_case_id"}).json()
    assert body["total_events"] == 3 and body["success_count"] == 0
    assert body["breakdown"][0]["use_case_id"] == str(use_case.id)
    bad = v2(owner, integration, "stats", {"source": "incoming", "group_by": "level"})
    assert bad.status_code == 400 and "group_by" in bad.json()["message"]


def test_stats_match_raw_rows_across_partial_edges(owner, integration):
    """Whole 5-minute buckets come from the rollup, the edges from raw rows: the sum is exact."""
    for minute in range(0, 60, 2):
        row(integration, T0 + timedelta(minutes=minute), code="" if minute % 3 else "ACK_TIMEOUT")
    start, end = T0 + timedelta(minutes=7, seconds=10), T0 + timedelta(minutes=41, seconds=5)
    expected = sum(1 for minute in range(0, 60, 2) if start <= T0 + timedelta(minutes=minute) <= end)
    body = v2(owner, integration, "stats", {"from_date": start.isoformat(), "to_date": end.isoformat()}).json()
    assert body["total_events"] == expected


def test_time_series_v2_zero_filled_with_breakdown_and_limits(owner, integration, use_case):
    row(integration, T0, use_case_id=use_case.id, use_case_type="inbound")
    row(integration, T0 + timedelta(hours=2), use_case_id="00000000-0000-0000-0000-0000000000aa",
        use_case_type="inbound", code="TIMEOUT")
    response = v2(owner, integration, "time-series", {"from_date": "2026-03-10T11:30:00Z",
                                                      "to_date": "2026-03-10T14:59:00Z", "interval": "1h",
                                                      "group_by": "use_case"})
    assert_matches_contract("getMonitoringTimeSeriesV2", response)
    buckets = response.json()["buckets"]
    assert [b["timestamp"] for b in buckets] == [f"2026-03-10T{h}:00:00Z" for h in (11, 12, 13, 14)]
    assert [b["total_count"] for b in buckets] == [0, 1, 0, 1]
    assert buckets[1]["breakdown"] == [{"use_case_id": str(use_case.id), "success_count": 1, "error_count": 0,
                                        "warning_count": 0, "info_count": 0, "total_count": 1, "skipped_count": 0}]
    assert buckets[3]["breakdown"][0]["use_case_id"] == "__unknown__" and buckets[2]["breakdown"] == []
    too_many = v2(owner, integration, "time-series", {"from_date": "2026-03-01T00:00:00Z",
                                                      "to_date": "2026-03-10T00:00:00Z", "interval": "5m"})
    assert too_many.status_code == 400 and "interval" in too_many.json()["message"]


def test_another_organisation_gets_404(owner, other_org, integration):
    for what in ("events", "stats", "external-events"):
        assert v2(other_org, integration, what, {"events": [{}]}).status_code == 404
    assert v2(other_org, integration, "traces/c", method="get").status_code == 404


def test_hours_buckets_and_edges_add_up_to_the_raw_rows(owner, integration):
    """Whole hours (hourly rollup), whole 5-minute buckets, and partial edges (raw rows) together are exact."""
    rows = [services.build(org_id=integration.organization_id, integration_id=integration.id, source=Source.SYSTEM,
                           event_id=f"r{n}", code="" if n % 4 else "TIMEOUT", at=T0 + timedelta(minutes=7 * n))
            for n in range(60)]
    services.record_many(rows)
    for start, end in ((T0 + timedelta(minutes=13, seconds=7), T0 + timedelta(hours=5, minutes=2, seconds=1)),
                       (T0 - timedelta(hours=1), T0 + timedelta(hours=8)),
                       (T0 + timedelta(hours=1, minutes=59), T0 + timedelta(hours=2, minutes=1))):
        expected = [r for r in rows if start <= r.completed_at <= end]
        body = v2(owner, integration, "stats", {"from_date": start.isoformat(), "to_date": end.isoformat()}).json()
        assert body["total_events"] == len(expected)
        assert body["error_count"] == sum(1 for r in expected if r.level == "error")
        series = v2(owner, integration, "time-series", {"from_date": start.isoformat(), "to_date": end.isoformat(),
                                                        "interval": "30m"}).json()
        assert sum(b["total_count"] for b in series["buckets"]) == len(expected)


def test_the_v1_projection_still_filters_on_status(integration):
    from monitoring.models import InboundMonitoringEvent

    inbound(integration, T0, status="error", event_id="bad")
    inbound(integration, T0, status="success", event_id="good")
    assert [r.event_id for r in InboundMonitoringEvent.objects.filter(status="error")] == ["bad"]
    assert [r.event_id for r in InboundMonitoringEvent.objects.exclude(status__in=["error"])] == ["good"]


def test_configuration_warnings_keep_their_code_in_v2(integration):
    row = services.record_configuration_warning(org_id=integration.organization_id, integration_id=str(integration.id),
                                                code="USE_CASE_TYPES_DELETED", message="sync deleted types")
    assert (row.level, row.code, row.v1_status) == ("warning", "USE_CASE_TYPES_DELETED", "warning")
