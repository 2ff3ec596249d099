"""Processing: parse, map, write to the entity store, one monitoring row per sync; in order; exactly once."""
import json

import pytest
from django.core.management import call_command

from entities.models import Entity
from integrations.inbound.services import processing
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db


def contacts(org):
    return list(Entity.objects.filter(organization=org, schema="contact", deleted_at__isnull=True))


def post_and_process(persona, integration, events, capture, **extra):
    with capture(execute=True):
        response = post_v3(persona, integration, events, **extra)
    assert response.status_code == 200
    return response.json()["results"]


def test_event_becomes_an_entity_with_a_monitoring_row(owner, django_capture_on_commit_callbacks):
    integration, use_case = integration_with_use_case(owner.organization)
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks,
                                correlation_id="corr-9")
    [entity] = contacts(owner.organization)
    assert entity.attributes["customer_number"] == "C-1" and entity.attributes["first_name"] == "Ada"
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.status == EventStatus.PROCESSED and event.attempts == 1 and event.completed_at
    [row] = InboundMonitoringEvent.objects.filter(event_id=result["event_id"])
    assert (row.sync_type, row.status, row.use_case_id) == ("entity", "success", str(use_case.id))
    assert row.correlation_id == "corr-9" and row.integration_id == str(integration.id)
    assert row.object_type == "CustomerChanged" and row.event_type is None
    assert row.processing_duration_ms is not None and row.received_at <= row.completed_at
    assert row.details["outcomes"][0]["action"] == "created"
    assert row.details["outcomes"][0]["entity_id"] == str(entity.id)


def test_events_of_one_integration_apply_in_order(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    events = [v3_event(payload={"customerId": "C-1", "firstName": name}) for name in ("Ada", "Bob", "Cy")]
    post_and_process(owner, integration, events, django_capture_on_commit_callbacks)
    [entity] = contacts(owner.organization)
    assert entity.attributes["first_name"] == "Cy"
    actions = [
        r.details["outcomes"][0]["action"]
        for r in sorted(InboundMonitoringEvent.objects.all(), key=lambda r: ErpEvent.objects.get(pk=r.event_id).sequence)
    ]
    assert actions == ["created", "updated", "updated"]


def test_processing_is_idempotent(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks)
    assert processing.process_events_through(result["event_id"]) == 0
    assert processing.process_events_through(result["event_id"]) == 0
    assert InboundMonitoringEvent.objects.count() == 1 and len(contacts(owner.organization)) == 1


def test_a_later_task_applies_earlier_pending_events_first(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=False):  # the broker "lost" these messages
        first = post_v3(owner, integration, [v3_event(payload={"customerId": "C-1", "firstName": "A"})])
        second = post_v3(owner, integration, [v3_event(payload={"customerId": "C-1", "firstName": "B"})])
    first_id = first.json()["results"][0]["event_id"]
    second_id = second.json()["results"][0]["event_id"]
    assert processing.process_events_through(second_id) == 2
    assert contacts(owner.organization)[0].attributes["first_name"] == "B"
    assert ErpEvent.objects.get(pk=first_id).status == EventStatus.PROCESSED


def test_mapping_error_is_recorded_with_code_and_category(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    [result] = post_and_process(owner, integration, [v3_event(payload={"firstName": "no id"})],
                                django_capture_on_commit_callbacks)
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert row.status == "error" and row.error_code == "MISSING_UNIQUE_IDENTIFIERS"
    assert row.error_category == "validation" and row.error_message
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.FAILED
    assert not contacts(owner.organization)


def test_use_case_without_configuration_is_a_configuration_error(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization, configuration=None)
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks)
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert (row.error_code, row.error_category) == ("USE_CASE_MISSING_CONFIG", "configuration")


def test_multiple_matches_is_an_error_and_writes_nothing(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    for _ in range(2):
        Entity.objects.create(organization=owner.organization, schema="contact",
                              attributes={"customer_number": "C-1"})
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks)
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert row.error_code == "UNIQUE_ID_MULTIPLE_MATCHES"
    assert all("first_name" not in e.attributes for e in contacts(owner.organization))


def test_each_matching_use_case_writes_its_own_row(owner, django_capture_on_commit_callbacks):
    from tests.factories import UseCaseFactory

    integration, first = integration_with_use_case(owner.organization)
    second = UseCaseFactory(
        integration=integration,
        name="CustomerChanged",
        slug="customer-meter",
        configuration={
            "entities": [{"entity_schema": "account", "unique_ids": ["number"],
                          "fields": [{"attribute": "number", "field": "customerId"}]}]
        },
    )
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks)
    rows = InboundMonitoringEvent.objects.filter(event_id=result["event_id"])
    assert {r.use_case_id for r in rows} == {str(first.id), str(second.id)}
    assert Entity.objects.filter(organization=owner.organization, schema="account").count() == 1


def test_use_case_disabled_after_acceptance_is_skipped(owner, django_capture_on_commit_callbacks):
    integration, use_case = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=False):
        result = post_v3(owner, integration, [v3_event()]).json()["results"][0]
    use_case.enabled = False
    use_case.save()
    processing.process_events_through(result["event_id"])
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert row.status == "skipped" and not contacts(owner.organization)


def test_a_crashing_event_is_failed_after_max_attempts(owner, django_capture_on_commit_callbacks, monkeypatch,
                                                       settings):
    settings.INBOUND_MAX_ATTEMPTS = 3
    integration, _ = integration_with_use_case(owner.organization)

    def explode(*args, **kwargs):
        raise RuntimeError("store is on fire")

    monkeypatch.setattr(processing, "apply_mapping_result", explode)
    monkeypatch.setattr(processing.lane_batches, "upsert_batch", explode)  # the set-based path
    with django_capture_on_commit_callbacks(execute=False):
        result = post_v3(owner, integration, [v3_event()]).json()["results"][0]
    for _ in range(3):
        with pytest.raises(RuntimeError):
            processing.process_events_through(result["event_id"])
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.status == EventStatus.PROCESSING and event.attempts == 3 and "on fire" in event.last_error
    assert not InboundMonitoringEvent.objects.filter(event_id=result["event_id"]).exists()
    processing.process_events_through(result["event_id"])  # attempts exhausted: failed, not retried
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED and event.attempts == 3
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert (row.error_code, row.error_category) == ("PROCESSING_FAILED", "system")


def test_sweeper_re_enqueues_unfinished_events(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=False):
        result = post_v3(owner, integration, [v3_event()]).json()["results"][0]
    call_command("sweep_events", "--older-than", "3600")
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.QUEUED  # too recent
    call_command("sweep_events", "--older-than", "0")
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.PROCESSED
    assert len(contacts(owner.organization)) == 1


def test_v2_event_rows_carry_event_type(owner, django_capture_on_commit_callbacks):
    from tests.integrations.inbound.helpers import v2_event

    integration, _ = integration_with_use_case(owner.organization)
    body = {"integration_id": str(integration.id), "events": [v2_event(event_type="CREATE")]}
    with django_capture_on_commit_callbacks(execute=True):
        result = owner.client.post("/v2/erp/updates/events", body, format="json").json()["results"][0]
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"], sync_type="entity")
    assert row.event_type == "CREATE" and row.status == "success"


def test_meter_readings_get_their_own_row(owner, django_capture_on_commit_callbacks):
    configuration = {
        "entities": [],
        "meter_readings": [
            {
                "jsonataExpression": "readings",
                "meter": {"unique_ids": [{"attribute": "meter_number", "constant": "M-1"}]},
                "fields": [
                    {"attribute": "external_id", "field": "id"},
                    {"attribute": "timestamp", "field": "date"},
                    {"attribute": "source", "constant": "ERP"},
                    {"attribute": "value", "field": "value"},
                ],
            }
        ],
    }
    integration, use_case = integration_with_use_case(owner.organization, configuration=configuration)
    Entity.objects.create(organization=owner.organization, schema="meter", attributes={"meter_number": "M-1"})
    payload = {"meterId": "M-1", "readings": [{"id": "R1", "date": "2025-03-01T00:00:00Z", "value": 12.5}]}
    [result] = post_and_process(owner, integration, [v3_event(payload=payload)], django_capture_on_commit_callbacks)
    [row] = InboundMonitoringEvent.objects.filter(event_id=result["event_id"])
    assert (row.sync_type, row.status) == ("meter_reading", "success"), row.error_message
    assert row.details["outcomes"][0]["action"] == "created"
    assert row.details["outcomes"][0]["external_id"] == "R1"


def test_replaying_an_ignored_event_after_fixing_the_configuration(owner, django_capture_on_commit_callbacks):
    integration, use_case = integration_with_use_case(owner.organization, enabled=False)
    [result] = post_and_process(owner, integration, [v3_event()], django_capture_on_commit_callbacks)
    assert result["status"] == "ignored"
    use_case.enabled = True
    use_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(
            f"/v1/integrations/{integration.id}/events/replay", {"event_ids": [result["event_id"]]}, format="json"
        )
    assert response.json()["results"][0]["status"] == "queued"
    assert len(contacts(owner.organization)) == 1


def test_file_proxy_url_field_stores_a_signed_download_url(owner, django_capture_on_commit_callbacks, settings):
    """A `file_proxy_url` field becomes a working signed /download URL on the entity at runtime."""
    from urllib.parse import parse_qs, urlsplit

    from fileproxy.services import verify_download_signature

    settings.PUBLIC_BASE_URL = "https://hub.example.test"
    configuration = {
        "entities": [
            {
                "entity_schema": "file",
                "unique_ids": ["external_id"],
                "fields": [
                    {"attribute": "external_id", "field": "docId"},
                    {
                        "attribute": "custom_download_url",
                        "file_proxy_url": {
                            "use_case_slug": "invoice-pdf",
                            "params": {"documentId": {"field": "docId"}, "year": {"constant": 2025}},
                        },
                    },
                ],
            }
        ]
    }
    integration, _ = integration_with_use_case(owner.organization, configuration=configuration)
    event = v3_event(payload=json.dumps({"docId": "D 42"}))
    post_and_process(owner, integration, [event], django_capture_on_commit_callbacks)
    [document] = Entity.objects.filter(organization=owner.organization, schema="file")
    url = document.attributes["custom_download_url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://hub.example.test/download"
    query = parse_qs(parts.query)
    assert query["orgId"] == [owner.organization.id] and query["integrationId"] == [str(integration.id)]
    assert query["useCaseSlug"] == ["invoice-pdf"]
    assert query["documentId"] == ["D 42"] and query["year"] == ["2025"]
    verify_download_signature([(k, v) for k, values in query.items() for v in values])
