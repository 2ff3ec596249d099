"""Event browser: list with filters and keyset pages, detail with results, replay, the payload for the
simulation picker, event figures on the integrations list; roles, isolation and query counts."""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.inbound import browser as ui_events
from integrations.inbound.services.accept import accept_events
from integrations.models import ErpEvent
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    return integration


def send(org, integration, *payloads, django_capture_on_commit_callbacks, **extra):
    body = {
        "integration_id": str(integration.pk),
        "events": [
            {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
             "payload": json.dumps(payload), **extra}
            for payload in payloads
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        results = accept_events(org, "v3", body)
    return [ErpEvent.objects.get(pk=result["event_id"]) for result in results]


@pytest.fixture
def events(org, integration, django_capture_on_commit_callbacks):
    good, bad = send(
        org, integration, {"customerId": "C-1", "firstName": "Ada"}, {"firstName": "no id"},
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    good.refresh_from_db()
    bad.refresh_from_db()
    return good, bad


def events_url(integration, suffix=""):
    return f"/integrations/{integration.pk}/events/{suffix}"


def test_list_shows_events_newest_first(ui_client, integration, events):
    response = ui_client("viewer").get(events_url(integration))
    assert response.status_code == 200
    listed = response.context["page"].events
    assert {e.pk for e in listed} == {e.pk for e in events}
    assert [e.received_at for e in listed] == sorted([e.received_at for e in listed], reverse=True)


def test_status_filter(ui_client, integration, events):
    good, bad = events
    assert good.status == "processed" and bad.status == "failed", (good.status, bad.status, bad.last_error)
    listed = ui_client("viewer").get(events_url(integration), {"status": "failed"}).context["page"].events
    assert [e.pk for e in listed] == [bad.pk]


def test_id_search_and_correlation_filter(ui_client, integration, events):
    good, _ = events
    client = ui_client("viewer")
    assert [e.pk for e in client.get(events_url(integration), {"q": str(good.pk)}).context["page"].events] == [good.pk]
    listed = client.get(events_url(integration), {"correlation_id": good.correlation_id}).context["page"].events
    assert good.pk in [e.pk for e in listed]


def test_time_range_and_use_case_filters(ui_client, integration, events):
    client = ui_client("viewer")
    future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.get(events_url(integration), {"since": future}).context["page"].events == []
    use_case = integration.use_cases.get()
    listed = client.get(events_url(integration), {"use_case": str(use_case.pk)}).context["page"].events
    assert len(listed) == 2


def test_invalid_range_is_a_form_error(ui_client, integration, events):
    response = ui_client("viewer").get(events_url(integration), {"since": "2026-02-01T00:00", "until": "2026-01-01T00:00"})
    assert response.status_code == 400 and b"Must be after From" in response.content


def test_empty_state_shows_a_curl(ui_client, integration):
    page = ui_client("viewer").get(events_url(integration))
    assert b"No events yet" in page.content and str(integration.pk).encode() in page.content


def test_keyset_pages(ui_client, org, integration, django_capture_on_commit_callbacks):
    send(org, integration, *[{"customerId": f"C-{i}"} for i in range(7)],
         django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    page = ui_events.event_page(org, ui_events.EventFilters(integration=integration), page_size=3)
    seen = [e.pk for e in page.events]
    while page.next_cursor:
        page = ui_events.event_page(org, ui_events.EventFilters(integration=integration), page.next_cursor, page_size=3)
        seen += [e.pk for e in page.events]
    assert len(seen) == len(set(seen)) == 7


def test_list_query_count_is_constant(ui_client, org, integration, django_capture_on_commit_callbacks):
    client = ui_client("viewer")
    send(org, integration, {"customerId": "C-1"}, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    client.get(events_url(integration))
    with CaptureQueriesContext(connection) as few:
        client.get(events_url(integration))
        client.get("/events/")
        client.get("/integrations/")
    send(org, integration, *[{"customerId": f"C-{i}"} for i in range(12)],
         django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        client.get(events_url(integration))
        client.get("/events/")
        client.get("/integrations/")
    assert len(many) == len(few)


def test_org_wide_events_page(ui_client, org, integration, events):
    IntegrationFactory(organization=OrganizationFactory())
    response = ui_client("viewer").get("/events/")
    assert response.status_code == 200 and len(response.context["page"].events) == 2
    assert b"SAP IS-U" in response.content


def test_detail_shows_payload_and_results(ui_client, integration, events):
    good, bad = events
    client = ui_client("viewer")
    page = client.get(events_url(integration, f"{good.pk}/"))
    assert page.status_code == 200
    assert b"&quot;customerId&quot;: &quot;C-1&quot;" in page.content
    assert page.context["detail"].monitoring and page.context["detail"].use_cases
    page = client.get(events_url(integration, f"{bad.pk}/"))
    assert b"MISSING_UNIQUE_IDENTIFIERS" in page.content or b"error" in page.content


def test_payload_endpoint_for_the_simulation_picker(ui_client, integration, events):
    good, _ = events
    body = ui_client("viewer").get(events_url(integration, f"{good.pk}/payload/")).json()
    assert body == {"payload": good.payload, "format": "json"}


def test_editor_offers_recorded_events(ui_client, integration, events):
    use_case = integration.use_cases.get()
    page = ui_client("viewer").get(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
    assert len(page.context["recent_events"]) == 2
    assert b"Pick a recorded event" in page.content


def test_replay_selected(ui_client, integration, events, django_capture_on_commit_callbacks):
    good, bad = events
    client = ui_client("editor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(events_url(integration, "replay/"), {"event_ids": [str(good.pk), str(bad.pk)]}, follow=True)
    assert b"Replay: 2 queued" in response.content
    replays = ErpEvent.objects.filter(replay_of__isnull=False)
    assert {r.replay_of_id for r in replays} == {good.pk, bad.pk}


def test_replay_without_selection(ui_client, integration, events):
    response = ui_client("editor").post(events_url(integration, "replay/"), follow=True)
    assert b"Select the events to replay" in response.content


def test_viewer_cannot_replay(ui_client, integration, events):
    good, _ = events
    assert ui_client("viewer").post(events_url(integration, "replay/"), {"event_ids": [str(good.pk)]}).status_code == 403
    assert not ErpEvent.objects.filter(replay_of__isnull=False).exists()


def test_integrations_list_shows_last_event_and_errors(ui_client, integration, events):
    [row] = ui_client("viewer").get("/integrations/").context["rows"]
    assert row.last_event_at == max(e.received_at for e in events)
    assert row.errors_24h == 1


def test_another_orgs_events_are_404(ui_client, org, events, integration):
    good, _ = events
    other = ui_client("admin", organization=OrganizationFactory())
    assert other.get(events_url(integration)).status_code == 404
    assert other.get(events_url(integration, f"{good.pk}/")).status_code == 404
    assert other.get(events_url(integration, f"{good.pk}/payload/")).status_code == 404
    assert other.post(events_url(integration, "replay/"), {"event_ids": [str(good.pk)]}).status_code == 404
    assert ui_client("admin").get(events_url(integration, "not-an-id/")).status_code == 404
    assert other.get("/events/").context["page"].events == []


def test_group_filter_and_group_on_the_detail(org, ui_client, integration, django_capture_on_commit_callbacks):
    [grouped] = send(org, integration, {"customerId": "C-7"}, group_id="customer-7",
                     django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    send(org, integration, {"customerId": "C-8"}, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    client = ui_client("viewer")
    listed = client.get(events_url(integration), {"group_id": "customer-7"}).context["page"].events
    assert [e.pk for e in listed] == [grouped.pk]
    detail = client.get(events_url(integration, f"{grouped.pk}/")).content.decode()
    assert "customer-7" in detail and "applied in order within the group" in detail
