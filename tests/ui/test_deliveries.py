"""Outbound deliveries of an integration: list (monitoring rows), detail with attempts, resend (editor);
another organisation's integration or delivery is a 404; the list's query count does not grow."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import OutboundDelivery
from integrations.outbound.services.catalog import publish_event
from monitoring.models import OutboundMonitoringEvent
from tests.factories import IntegrationFactory, OrganizationFactory
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, start_receiver
from tests.monitoring.helpers import outbound

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_DELIVERY_BACKOFF_SECONDS = 0.01
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 2
    settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS = 2
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org, name="SAP IS-U")


@pytest.fixture
def published(org, integration, receiver):
    """One failed delivery (the receiver answers 400) of contract.created to the "SAP" webhook."""
    webhook, _ = make_webhook(org, receiver.url, name="SAP")
    outbound_use_case(org, [mapping(webhook.pk, name="Contract sync")], integration=integration, name="Contracts")
    receiver.responses = [(400, {"error": "unknown customer"})]
    publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "C-1"}})
    return OutboundMonitoringEvent.objects.get(integration_id=str(integration.pk))


def base(integration):
    return f"/integrations/{integration.pk}/deliveries/"


def test_list_and_detail_show_status_webhook_http_status_and_attempts(ui_client, integration, published):
    client = ui_client("viewer")
    listing = client.get(base(integration))
    assert listing.status_code == 200
    [row] = listing.context["page"].rows
    assert row.status == "failed" and row.webhook_name == "SAP"
    html = listing.content.decode()
    assert "contract.created" in html and "SAP" in html and "<code>400</code>" in html

    detail = client.get(f"{base(integration)}{published.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "unknown customer" in html and "Contract sync" in html and "C-1" in html
    assert "Resend" not in html  # viewers do not get the button
    assert len(detail.context["row"].attempts) == 1


def test_resend_creates_a_new_delivery_and_opens_it(ui_client, integration, published, receiver):
    receiver.responses = []  # the receiver accepts now
    response = ui_client("editor").post(f"{base(integration)}{published.pk}/resend/")
    new_row = OutboundMonitoringEvent.objects.exclude(pk=published.pk).get()
    assert response.status_code == 302 and response["Location"] == f"{base(integration)}{new_row.pk}/"
    assert new_row.status == "succeeded" and new_row.metadata["resend_of"] == published.metadata["delivery_id"]
    page = ui_client("viewer").get(response["Location"])
    assert page.context["resend_of_row"] == published and b"resend" in ui_client("viewer").get(base(integration)).content


def test_pending_delivery_cannot_be_resent(ui_client, integration, published):
    OutboundMonitoringEvent.objects.filter(pk=published.pk).update(status="pending")
    OutboundDelivery.objects.update(status="pending")
    client = ui_client("editor")
    detail = client.get(f"{base(integration)}{published.pk}/")
    assert b"still pending" in detail.content and b"disabled" in detail.content
    response = client.post(f"{base(integration)}{published.pk}/resend/", follow=True)
    assert b"Not resent" in response.content
    assert OutboundMonitoringEvent.objects.count() == 1


def test_viewer_cannot_resend(ui_client, integration, published):
    assert ui_client("viewer").post(f"{base(integration)}{published.pk}/resend/").status_code == 403
    assert OutboundMonitoringEvent.objects.count() == 1


def test_filters(ui_client, integration):
    now = timezone.now()
    outbound(integration, now - timedelta(minutes=3), status="failed", event_name="contract.created")
    outbound(integration, now - timedelta(minutes=2), status="succeeded", event_name="contract.created")
    outbound(integration, now - timedelta(minutes=1), status="succeeded", event_name="order.created")
    client = ui_client("viewer")
    assert [r.status for r in client.get(base(integration) + "?status=failed").context["page"].rows] == ["failed"]
    rows = client.get(base(integration) + "?event_name=order.created").context["page"].rows
    assert [r.event_name for r in rows] == ["order.created"]
    assert len(client.get(base(integration) + "?webhook=").context["page"].rows) == 3
    assert client.get(base(integration) + "?status=bogus").status_code == 400


def test_keyset_pages(ui_client, integration):
    now = timezone.now()
    for n in range(55):
        outbound(integration, now - timedelta(seconds=n))
    client = ui_client("viewer")
    first = client.get(base(integration)).context["page"]
    assert len(first.rows) == 50 and first.next_cursor
    second = client.get(base(integration) + f"?cursor={first.next_cursor}").context["page"]
    assert len(second.rows) == 5 and second.next_cursor is None
    assert not {r.pk for r in first.rows} & {r.pk for r in second.rows}
    assert client.get(base(integration) + "?cursor=garbage").status_code == 200


def test_other_organisation_and_other_integration_are_404(ui_client, org, integration):
    now = timezone.now()
    foreign_integration = IntegrationFactory(organization=OrganizationFactory())
    foreign_row = outbound(foreign_integration, now)
    sibling_row = outbound(IntegrationFactory(organization=org), now)
    client = ui_client("admin")
    assert client.get(base(foreign_integration)).status_code == 404
    assert client.get(f"{base(foreign_integration)}{foreign_row.pk}/").status_code == 404
    assert client.get(f"{base(integration)}{foreign_row.pk}/").status_code == 404
    assert client.post(f"{base(integration)}{foreign_row.pk}/resend/").status_code == 404
    assert client.get(f"{base(integration)}{sibling_row.pk}/").status_code == 404
    assert client.get(f"{base(integration)}abc/").status_code == 404
    assert sibling_row.pk not in [r.pk for r in client.get(base(integration)).context["page"].rows]


def test_list_query_count_does_not_grow(ui_client, integration):
    client = ui_client("viewer")
    now = timezone.now()
    outbound(integration, now)
    client.get(base(integration))
    with CaptureQueriesContext(connection) as few:
        client.get(base(integration))
    for n in range(30):
        outbound(integration, now - timedelta(seconds=n + 1), status="failed", webhook_config_id=f"wh-{n}",
                 metadata={"resend_of": "x"})
    with CaptureQueriesContext(connection) as many:
        client.get(base(integration))
    assert len(many) == len(few)


def test_empty_state(ui_client, integration):
    assert b"No deliveries yet" in ui_client("viewer").get(base(integration)).content
