"""Issue 15, item 7: no horizontal overflow at 390 px on every main page (``scrollWidth <= clientWidth``),
and the monitoring charts open scrolled to the newest bucket."""
import json

import pytest
from django.utils import timezone

from erpintegration.tokens import issue_token
from integrations.inbound.services.accept import accept_events
from integrations.models import ErpEvent, OutboundDelivery, ReplayJob
from integrations.outbound.services.catalog import publish_event
from integrations.outbound.services.webhooks import create_webhook
from integrations.setup.services.use_cases import update_use_case
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.integrations.outbound.helpers import mapping, outbound_use_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "a-very-long-unbroken-identifier-" * 4


@pytest.fixture
def world(login, settings):
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 1
    org = OrganizationFactory(name="Stadtwerke Nord mit einem ziemlich langen Namen")
    MembershipFactory(user=UserFactory(username="admin"), organization=org, role="admin")
    integration = IntegrationFactory(organization=org, name="SAP IS-U " + LONG, description=LONG,
                                     environment_config=[{"key": "api.base_url", "label": "API base URL", "type": "String",
                                                          "required": True, "order": 0}])
    inbound = UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    for n in range(2):
        update_use_case(org, inbound, {"change_description": f"Change {n} " + LONG, "enabled": bool(n)}, actor="admin")
    accept_events(org, "v3", {"integration_id": str(integration.pk), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
         "payload": json.dumps(p)} for p in ({"customerId": "C-1", "firstName": "Ada"}, {"x": LONG})]})
    hook = create_webhook(org, {"name": "SAP PI", "url": "http://127.0.0.1:9/" + LONG, "headers": {"X-Key": "v"}}).webhook
    outbound = outbound_use_case(org, [mapping(hook.pk)], integration=integration)
    publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": LONG}})
    issue_token(org, "ERP " + LONG)
    job = ReplayJob.objects.create(organization=org, integration=integration, criteria={"status": "failed", "q": LONG},
                                   total=1, done=1, status="done", finished_at=timezone.now())
    login("admin")
    event = ErpEvent.objects.filter(status="failed").first()
    delivery = OutboundDelivery.objects.first()
    i = f"/integrations/{integration.pk}"
    history = inbound.history.order_by("created_at").first() if hasattr(inbound, "history") else None
    pages = [
        "/integrations/", "/integrations/new/", "/integrations/import/", f"{i}/import/", f"{i}/", f"{i}/edit/", f"{i}/use-cases/new/?type=inbound",
        f"{i}/use-cases/{inbound.pk}/", f"{i}/use-cases/{outbound.pk}/", f"{i}/use-cases/{inbound.pk}/history/",
        f"{i}/use-cases/{inbound.pk}/history/diff/?from={history.pk if history else 'current'}&to=current",
        f"{i}/environment/", f"{i}/monitoring/", f"{i}/monitoring/?window=7d", f"{i}/deliveries/",
        f"{i}/deliveries/{delivery.monitoring_event_id}/", "/events/", f"{i}/events/", f"{i}/events/{event.pk}/",
        f"{i}/events/replay-jobs/{job.pk}/", "/entities/", "/webhooks/", "/webhooks/new/", f"/webhooks/{hook.pk}/",
        "/settings/tokens/", "/settings/members/",
    ]
    return pages


def test_no_horizontal_overflow_at_390px(page, shot, world):
    page.set_viewport_size({"width": 390, "height": 844})
    overflowing = []
    for index, path in enumerate(world):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        shot(f"{index:02d}-" + path.strip("/").replace("/", "_")[:40])
        if widths[0] > widths[1]:
            culprits = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            overflowing.append((path, widths, culprits))
    assert not overflowing, overflowing


def test_charts_open_at_the_newest_bucket(page, world):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(next(path for path in world if path.endswith("/monitoring/?window=7d")))
    charts = page.locator(".chart-scroll")
    assert charts.count() >= 1
    for index in range(charts.count()):
        chart = charts.nth(index)
        scroll = chart.evaluate("e => [e.scrollLeft, e.scrollWidth - e.clientWidth]")
        assert scroll[1] > 0, "the 7-day chart is wider than a phone"
        assert scroll[0] >= scroll[1] - 1, scroll
