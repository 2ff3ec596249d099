"""Monitoring tab (v2 levels): cards, level chart and breakdowns from the rollups, presets and a custom range;
roles, isolation, query count; the chart geometry."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring import charts, dashboard, stats, stats_v2
from monitoring.services import record_outbound_attempt
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory
from tests.monitoring.helpers import inbound, outbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org, name="SAP IS-U")


def url(integration, window=""):
    return f"/integrations/{integration.pk}/monitoring/" + (f"?window={window}" if window else "")


def test_cards_breakdowns_and_chart_on_v2_levels(ui_client, integration):
    now = timezone.now()
    customers = UseCaseFactory(integration=integration, name="Customers")
    uc = str(customers.pk)
    inbound(integration, now - timedelta(hours=1), use_case_id=uc)
    inbound(integration, now - timedelta(hours=2), use_case_id=uc)
    inbound(integration, now - timedelta(hours=3), status="error", use_case_id=uc)
    inbound(integration, now - timedelta(hours=3), status="skipped", use_case_id=uc)
    inbound(integration, now - timedelta(hours=4), status="error", use_case_id=uc, error_category="timeout")
    inbound(integration, now - timedelta(days=3), status="error", use_case_id=uc)  # outside 24 h
    response = ui_client("viewer").get(url(integration))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["window"].preset == "24h"
    totals = ctx["totals"]
    assert (totals["total_events"], totals["error_count"], totals["info_count"]) == (5, 2, 1)
    assert totals["success_rate"] == 50.0  # 2 / (2 + 2): the skipped row is info, not in the rate
    [row] = ctx["by_use_case"]
    assert row["name"] == "Customers" and row["total_events"] == 5 and row["error_count"] == 2
    assert {r["code"]: r["total_events"] for r in ctx["by_code"]} == {"MAPPING_EXPRESSION_FAILED": 2,
                                                                     "STEP_DISABLED": 1}
    assert ctx["chart"].total == 5
    html = response.content.decode()
    assert 'data-chart="chart-levels"' in html and '<rect class="s-error"' in html and "Customers" in html
    week = ui_client("viewer").get(url(integration, "7d")).context
    assert week["totals"]["total_events"] == 6 and week["window"].interval == "3h"


def test_outbound_rows_count_on_the_same_levels(ui_client, integration):
    row = outbound(integration, timezone.now() - timedelta(minutes=30), status="pending")
    record_outbound_attempt(row.pk, status="succeeded", http_response={"status_code": 200}, duration_ms=5)
    ctx = ui_client("viewer").get(url(integration)).context
    assert [(r["use_case_type"], r["success_count"]) for r in ctx["by_type"]] == [("outbound", 1)]


def test_the_page_agrees_with_the_api_functions(ui_client, integration, org):
    now = timezone.now()
    for hours in (1, 5, 30):
        inbound(integration, now - timedelta(hours=hours))
    ctx = ui_client("viewer").get(url(integration, "7d")).context
    series = stats_v2.time_series(org_id=org.id, integration_id=str(integration.pk), start=ctx["window"].start,
                                  end=ctx["window"].end, interval="3h", use_case_type=None, group_by=None)
    assert len(ctx["chart"].bars) == len(series["buckets"]) <= stats.MAX_BUCKETS
    assert sum(b["success_count"] for b in series["buckets"]) == ctx["chart"].total == 3


@pytest.mark.parametrize("key", list(dashboard.PRESETS))
def test_every_preset_stays_within_the_bucket_limit(ui_client, integration, key):
    response = ui_client("viewer").get(url(integration, key))
    assert response.status_code == 200
    assert len(response.context["chart"].bars) <= dashboard.MAX_CHART_BARS


def test_unknown_window_falls_back_to_24h(ui_client, integration):
    assert ui_client("viewer").get(url(integration, "999y")).context["window"].preset == "24h"


def test_custom_range_and_a_bad_one(ui_client, integration):
    now = timezone.now()
    inbound(integration, now - timedelta(days=3))
    client = ui_client("viewer")
    start = (now - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    end = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ctx = client.get(url(integration), {"from": start, "to": end}).context
    assert ctx["window"].preset is None and ctx["totals"]["total_events"] == 1 and ctx["window"].interval == "30m"
    assert client.get(url(integration), {"from": "garbage"}).status_code == 400
    assert client.get(url(integration), {"from": "2020-01-01T00:00", "to": "2026-01-01T00:00"}).status_code == 400


def test_empty_window_says_so(ui_client, integration):
    html = ui_client("viewer").get(url(integration)).content.decode()
    assert "Nothing in this window." in html and "No monitoring events in this window." in html


def test_rows_of_another_organisation_or_integration_are_not_counted(ui_client, integration):
    now = timezone.now()
    other = IntegrationFactory(organization=OrganizationFactory())
    inbound(other, now - timedelta(hours=1), status="error")
    inbound(IntegrationFactory(organization=integration.organization), now - timedelta(hours=1))
    ctx = ui_client("viewer").get(url(integration)).context
    assert ctx["totals"]["total_events"] == 0


def test_another_organisations_integration_is_404(ui_client):
    foreign = IntegrationFactory(organization=OrganizationFactory())
    assert ui_client("admin").get(url(foreign)).status_code == 404
    assert ui_client("admin").get("/integrations/nope/monitoring/").status_code == 404


def test_login_required(client, integration):
    response = client.get(url(integration))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_query_count_does_not_grow_with_rows(ui_client, integration):
    client = ui_client("viewer")
    now = timezone.now()
    inbound(integration, now - timedelta(hours=1))
    client.get(url(integration))
    with CaptureQueriesContext(connection) as few:
        client.get(url(integration))
    for hours in range(2, 22):
        use_case = UseCaseFactory(integration=integration)
        inbound(integration, now - timedelta(hours=hours), status="error", use_case_id=str(use_case.pk))
    with CaptureQueriesContext(connection) as many:
        client.get(url(integration))
    assert len(many) == len(few)


def test_nice_ceiling_gives_five_whole_ticks():
    assert [charts.nice_ceiling(n) for n in (0, 3, 5, 6, 11, 49, 51, 120)] == [5, 5, 5, 10, 20, 50, 100, 200]
    assert all(charts.nice_ceiling(n) % 5 == 0 for n in range(0, 500))
