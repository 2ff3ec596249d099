"""Monitoring dashboard: cards, charts and breakdowns from monitoring.stats; roles, isolation, query count."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.setup import dashboard
from monitoring import stats
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory
from tests.monitoring.helpers import inbound, outbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org, name="SAP IS-U")


def url(integration, window=""):
    return f"/integrations/{integration.pk}/monitoring/" + (f"?window={window}" if window else "")


def test_cards_breakdowns_and_charts(ui_client, integration):
    now = timezone.now()
    customers = UseCaseFactory(integration=integration, name="Customers")
    uc = str(customers.pk)
    inbound(integration, now - timedelta(hours=1), use_case_id=uc)
    inbound(integration, now - timedelta(hours=2), use_case_id=uc)
    inbound(integration, now - timedelta(hours=3), status="error", use_case_id=uc)
    inbound(integration, now - timedelta(hours=3), status="skipped", use_case_id=uc)
    inbound(integration, now - timedelta(hours=4), status="error", use_case_id=uc, error_category="timeout")
    inbound(integration, now - timedelta(days=3), status="error", use_case_id=uc)  # outside 24 h
    outbound(integration, now - timedelta(hours=1), status="succeeded")
    outbound(integration, now - timedelta(hours=1), status="failed")
    outbound(integration, now - timedelta(minutes=5), status="pending")

    response = ui_client("viewer").get(url(integration))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["window"].key == "24h"
    assert (ctx["inbound"]["total_events"], ctx["inbound"]["error_count"]) == (5, 2)
    assert ctx["inbound"]["success_rate"] == 50.0  # 2 / (5 - 1 skipped)
    assert ctx["outbound"]["total_events"] == 3 and ctx["outbound"]["success_rate"] == 50.0
    [row] = ctx["by_use_case"]
    assert row["name"] == "Customers" and row["total_events"] == 5 and row["error_count"] == 2
    assert {r["error_category"]: r["error_count"] for r in ctx["by_category"]} == {"configuration": 1, "timeout": 1}
    assert ctx["inbound_chart"].total == 5 and ctx["outbound_chart"].total == 3
    html = response.content.decode()
    assert 'data-chart="chart-inbound"' in html and "<rect class=\"s-error\"" in html
    assert "Customers" in html and "timeout" in html

    week = ui_client("viewer").get(url(integration, "7d")).context
    assert week["inbound"]["total_events"] == 6 and week["window"].interval == "3h"


def test_the_page_agrees_with_the_api_functions(ui_client, integration, org):
    now = timezone.now()
    for hours in (1, 5, 30):
        inbound(integration, now - timedelta(hours=hours))
    ctx = ui_client("viewer").get(url(integration, "7d")).context
    series = stats.monitoring_time_series(
        org_id=org.id, integration_id=str(integration.pk), start=ctx["start"], end=ctx["end"], interval="3h",
        direction="both",
    )
    assert len(ctx["inbound_chart"].bars) == len(series.buckets) <= stats.MAX_BUCKETS
    assert sum(b["inbound"]["success_count"] for b in series.buckets) == ctx["inbound_chart"].total == 3


@pytest.mark.parametrize("key", list(dashboard.WINDOWS))
def test_every_window_stays_within_the_bucket_limit(ui_client, integration, key):
    response = ui_client("viewer").get(url(integration, key))
    assert response.status_code == 200
    assert len(response.context["inbound_chart"].bars) <= stats.MAX_BUCKETS


def test_unknown_window_falls_back_to_24h(ui_client, integration):
    assert ui_client("viewer").get(url(integration, "999y")).context["window"].key == "24h"


def test_empty_window_says_so(ui_client, integration):
    html = ui_client("viewer").get(url(integration)).content.decode()
    assert "Nothing in this window." in html and "No inbound events in this window." in html


def test_rows_of_another_organisation_or_integration_are_not_counted(ui_client, integration):
    now = timezone.now()
    other = IntegrationFactory(organization=OrganizationFactory())
    inbound(other, now - timedelta(hours=1), status="error")
    inbound(IntegrationFactory(organization=integration.organization), now - timedelta(hours=1))
    ctx = ui_client("viewer").get(url(integration)).context
    assert ctx["inbound"]["total_events"] == 0


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
        outbound(integration, now - timedelta(hours=hours), status="failed", webhook_config_id=f"wh-{hours}")
    with CaptureQueriesContext(connection) as many:
        client.get(url(integration))
    assert len(many) == len(few)


def test_nice_ceiling_gives_five_whole_ticks():
    assert [dashboard.nice_ceiling(n) for n in (0, 3, 5, 6, 11, 49, 51, 120)] == [5, 5, 5, 10, 20, 50, 100, 200]
    assert all(dashboard.nice_ceiling(n) % 5 == 0 for n in range(0, 500))
