"""Pollable outbound through the REST API: enqueue, lease, ack, visibility timeout, poison policy, DLQ,
redrive, unblock, expiry and the poll part of getOutboundStatus (responses checked against the contract)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import OutboundQueueItem, OutboundStream, UseCase
from integrations.outbound.services import stream as outbound_stream
from monitoring.models import MonitoringEvent
from tests.conftest import make_api_persona
from tests.spec import assert_matches_contract

from .poll_helpers import (
    ack,
    create_integration,
    create_poll_use_case,
    lapse_lease,
    poll,
    poll_mapping,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stream(owner):
    integration_id = create_integration(owner)
    use_case_id = create_poll_use_case(owner, integration_id)
    return integration_id, use_case_id


def test_poll_then_ack_is_never_redelivered(owner, stream):
    integration_id, use_case_id = stream
    for n in range(3):
        publish(owner, contract_number=f"C-{n}", _downgrades=["x"], _automation_chain=["y"])
    response = poll(owner, integration_id, limit=10)
    assert_matches_contract("pollOutboundMessages", response)
    body = response.json()
    assert body["visibility_timeout_seconds"] == 300 and body["has_more"] is False
    messages = body["messages"]
    assert [m["payload"]["contract_number"] for m in messages] == ["C-0", "C-1", "C-2"]
    first = messages[0]
    assert first["id"].startswith("msg_") and first["lease_token"].startswith("lt_")
    assert first["use_case_id"] == use_case_id and first["group"] == "0" and first["event_name"] == "contract.created"
    assert first["payload"]["_event_id"] == first["event_id"]
    assert "_downgrades" not in first["payload"] and "_automation_chain" not in first["payload"]
    assert len({m["lease_token"] for m in messages}) == 3

    acked = ack(owner, integration_id, messages)
    assert_matches_contract("ackOutboundMessages", acked)
    assert [r["status"] for r in acked.json()["results"]] == ["accepted"] * 3
    assert poll(owner, integration_id).json()["messages"] == []
    assert OutboundQueueItem.objects.count() == 0
    again = ack(owner, integration_id, messages).json()["results"]
    assert {(r["status"], r["reason"]) for r in again} == {("rejected", "not_found")}


def test_one_lease_per_stream_and_lapsed_lease_returns_same_ids_with_new_tokens(owner, stream):
    integration_id, _ = stream
    publish(owner, n=1)
    publish(owner, n=2)
    first = poll(owner, integration_id, limit=1).json()
    assert len(first["messages"]) == 1 and first["has_more"] is True
    assert poll(owner, integration_id).json()["messages"] == []  # the lease is in flight
    lapse_lease(integration_id)
    second = poll(owner, integration_id, limit=5).json()["messages"]
    assert [m["id"] for m in second][:1] == [first["messages"][0]["id"]] and len(second) == 2
    assert second[0]["lease_token"] != first["messages"][0]["lease_token"]
    assert OutboundQueueItem.objects.get(message_id=second[0]["id"]).delivery_attempts == 2
    stale = ack(owner, integration_id, first["messages"]).json()["results"]
    assert stale == [{"id": first["messages"][0]["id"], "status": "rejected", "reason": "stale_lease"}]


def test_acks_must_be_a_prefix_of_the_leased_batch(owner, stream):
    integration_id, _ = stream
    for n in range(4):
        publish(owner, n=n)
    batch = poll(owner, integration_id).json()["messages"]
    forged = {"id": batch[1]["id"], "lease_token": "lt_forged"}
    response = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/ack", {"acks": [
        {"id": batch[0]["id"], "lease_token": batch[0]["lease_token"]}, forged,
        {"id": batch[2]["id"], "lease_token": batch[2]["lease_token"]},
        {"id": "msg_unknown", "lease_token": "lt_x"},
    ]}, format="json")
    assert response.json()["results"] == [
        {"id": batch[0]["id"], "status": "accepted"},
        {"id": batch[1]["id"], "status": "rejected", "reason": "stale_lease"},
        {"id": batch[2]["id"], "status": "rejected", "reason": "out_of_order"},
        {"id": "msg_unknown", "status": "rejected", "reason": "not_found"},
    ]
    assert poll(owner, integration_id).json()["messages"] == []  # a partial ack keeps the lease
    rest = ack(owner, integration_id, batch[1:]).json()["results"]
    assert [r["status"] for r in rest] == ["accepted"] * 3
    assert OutboundStream.objects.get(pk=integration_id).lease_id == ""  # whole batch settled: lease released
    assert OutboundStream.objects.get(pk=integration_id).last_ack_at is not None


def test_exhausted_message_goes_to_the_dlq_and_the_stream_continues(owner):
    integration_id = create_integration(owner)
    use_case_id = create_poll_use_case(owner, integration_id, max_delivery_attempts=2)
    publish(owner, n="poison")
    publish(owner, n="next")
    for _ in range(2):
        assert poll(owner, integration_id, limit=1).json()["messages"][0]["payload"]["n"] == "poison"
        lapse_lease(integration_id)
    after = poll(owner, integration_id, limit=1).json()["messages"]
    assert [m["payload"]["n"] for m in after] == ["next"]

    dlq = owner.client.get(f"/v1/integrations/{integration_id}/outbound/messages/dlq")
    assert_matches_contract("listOutboundDlqMessages", dlq)
    [entry] = dlq.json()["items"]
    assert entry["use_case_id"] == use_case_id and entry["delivery_attempts"] == 2
    assert entry["reason"] == "max_delivery_attempts exhausted" and "payload" not in entry
    item = OutboundQueueItem.objects.get(message_id=entry["id"])
    assert item.expires_at - item.dead_lettered_at == timedelta(days=30)  # retention re-armed

    ack(owner, integration_id, after)
    redriven = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/dlq/redrive",
                                 {"ids": [entry["id"], "msg_nope", entry["id"]]}, format="json")
    assert_matches_contract("redriveOutboundDlqMessages", redriven)
    assert [r["status"] for r in redriven.json()["results"]] == ["redriven", "not_found", "not_found"]
    [copy] = poll(owner, integration_id).json()["messages"]
    assert copy["id"] != entry["id"] and copy["payload"]["n"] == "poison" and copy["event_id"] == entry["event_id"]
    assert OutboundQueueItem.objects.get(message_id=copy["id"]).delivery_attempts == 1
    assert owner.client.get(f"/v1/integrations/{integration_id}/outbound/messages/dlq").json()["items"] == []


def test_block_policy_halts_the_stream_until_unblocked(owner):
    integration_id = create_integration(owner)
    use_case_id = create_poll_use_case(owner, integration_id, poison_policy="block", max_delivery_attempts=1)
    other = create_poll_use_case(owner, integration_id, event="contract.updated", name="Updates")
    publish(owner, n="poison")
    publish(owner, "contract.updated", n="behind")
    poll(owner, integration_id, limit=1)
    lapse_lease(integration_id)
    assert poll(owner, integration_id).json()["messages"] == []  # blocked (it would be the 2nd attempt)
    status = owner.client.get(f"/v1/integrations/{integration_id}/outbound-status")
    assert_matches_contract("getOutboundStatus", status, versions=["1.33"])  # v0.46 lacks the new conflict types
    by_id = {u["useCaseId"]: u for u in status.json()["useCases"]}
    for key in (use_case_id, other):
        assert by_id[key]["poll"]["blocked"] is True and by_id[key]["status"] == "conflict"
        assert "stream_blocked" in [c["type"] for c in by_id[key]["conflicts"]]

    unblocked = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/unblock",
                                  {"reason": "bad contract, fixed by hand"}, format="json")
    assert_matches_contract("unblockOutboundStream", unblocked)
    body = unblocked.json()
    assert body["unblocked"] is True and body["dead_lettered_id"].startswith("msg_")
    [entry] = owner.client.get(f"/v1/integrations/{integration_id}/outbound/messages/dlq").json()["items"]
    assert entry["id"] == body["dead_lettered_id"] and entry["reason"] == "bad contract, fixed by hand"
    assert [m["payload"]["n"] for m in poll(owner, integration_id).json()["messages"]] == ["behind"]
    again = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/unblock", format="json")
    assert again.status_code == 200 and again.json() == {"unblocked": False}
    by_id = {u["useCaseId"]: u for u in owner.client.get(
        f"/v1/integrations/{integration_id}/outbound-status").json()["useCases"]}
    assert by_id[use_case_id]["poll"]["dlq_count"] == 1 and by_id[other]["poll"]["dlq_count"] == 0
    assert "dlq_items_present" in [c["type"] for c in by_id[use_case_id]["conflicts"]]


def test_a_consumer_ack_of_the_blocked_head_releases_it(owner):
    integration_id = create_integration(owner)
    create_poll_use_case(owner, integration_id, poison_policy="block", max_delivery_attempts=1)
    publish(owner, n="slow")
    publish(owner, n="after")
    leased = poll(owner, integration_id, limit=1).json()["messages"]
    lapse_lease(integration_id)
    assert poll(owner, integration_id).json()["messages"] == []
    assert OutboundStream.objects.get(pk=integration_id).blocked_item_id is not None
    assert ack(owner, integration_id, leased).json()["results"][0]["status"] == "accepted"
    assert OutboundStream.objects.get(pk=integration_id).blocked_item_id is None
    assert [m["payload"]["n"] for m in poll(owner, integration_id).json()["messages"]] == ["after"]


def test_enqueue_is_idempotent_per_use_case_and_event(owner, stream):
    integration_id, use_case_id = stream
    publish(owner, n=1)
    item = OutboundQueueItem.objects.get()
    use_case = UseCase.objects.get(pk=use_case_id)
    mapping = use_case.configuration["mappings"][0]
    from integrations.models import CatalogEvent

    event = CatalogEvent.objects.get()
    assert outbound_stream.enqueue(event, use_case, mapping, {"n": 1}) is None
    assert OutboundQueueItem.objects.get().pk == item.pk


def test_all_poll_use_cases_merge_into_one_stream_in_event_order(owner):
    integration_id = create_integration(owner)
    created = create_poll_use_case(owner, integration_id)
    updated = create_poll_use_case(owner, integration_id, event="contract.updated", name="Updates")
    create_poll_use_case(owner, integration_id, event="contract.updated", name="Off",
                         mapping={**poll_mapping(), "enabled": False})
    publish(owner, n=1)
    publish(owner, "contract.updated", n=2)
    publish(owner, n=3)
    messages = poll(owner, integration_id).json()["messages"]
    assert [(m["use_case_id"], m["payload"]["n"]) for m in messages] == [(created, 1), (updated, 2), (created, 3)]


def test_enqueue_time_transform_and_redrive_with_reapply_mapping(owner):
    integration_id = create_integration(owner)
    mapping = {**poll_mapping(max_delivery_attempts=1), "jsonata_expression": '{"number": contract_number}'}
    use_case_id = create_poll_use_case(owner, integration_id, mapping=mapping)
    publish(owner, contract_number="C-7", secret="not for the ERP")
    [message] = poll(owner, integration_id).json()["messages"]
    assert message["payload"] == {"number": "C-7"} and len(message["mapping_version"]) == 16
    lapse_lease(integration_id)
    assert poll(owner, integration_id).json()["messages"] == []
    [entry] = owner.client.get(f"/v1/integrations/{integration_id}/outbound/messages/dlq").json()["items"]

    use_case = UseCase.objects.get(pk=use_case_id)
    config = use_case.configuration
    config["mappings"][0]["jsonata_expression"] = '{"no": contract_number}'
    owner.client.put(f"/v1/integrations/{integration_id}/use-cases/{use_case_id}",
                     {"configuration": config}, format="json")
    result = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/dlq/redrive",
                               {"ids": [entry["id"]], "reapply_mapping": True}, format="json")
    assert result.json()["results"][0]["status"] == "redriven"
    [copy] = poll(owner, integration_id).json()["messages"]
    assert copy["payload"] == {"no": "C-7"} and copy["mapping_version"] != message["mapping_version"]


def test_failing_transform_queues_nothing(owner):
    integration_id = create_integration(owner)
    create_poll_use_case(owner, integration_id, mapping={**poll_mapping(), "jsonata_expression": '"a string"'})
    publish(owner, n=1)
    assert OutboundQueueItem.objects.count() == 0


def test_dlq_pages_oldest_first_with_an_opaque_token(owner):
    integration_id = create_integration(owner)
    create_poll_use_case(owner, integration_id, max_delivery_attempts=1)
    for n in range(5):
        publish(owner, n=n)
    poll(owner, integration_id, limit=5)
    lapse_lease(integration_id)
    poll(owner, integration_id)  # all five are exhausted: dead-lettered in order
    url = f"/v1/integrations/{integration_id}/outbound/messages/dlq"
    first = owner.client.get(url, {"limit": 2}).json()
    second = owner.client.get(url, {"limit": 2, "next_token": first["next_token"]}).json()
    third = owner.client.get(url, {"limit": 2, "next_token": second["next_token"]}).json()
    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    ordered = list(OutboundQueueItem.objects.order_by("dead_lettered_at", "id").values_list("message_id", flat=True))
    assert ids == ordered and len(ids) == 5 and "next_token" not in third
    bad = owner.client.get(url, {"next_token": "garbage!"})
    assert bad.status_code == 400 and "next_token" in bad.json()["message"]
    assert owner.client.get(url, {"limit": 0}).status_code == 400


def test_expired_messages_are_reaped_and_never_polled(owner, stream):
    integration_id, _ = stream
    publish(owner, n="old")
    publish(owner, n="fresh")
    OutboundQueueItem.objects.filter(payload__n="old").update(expires_at=timezone.now() - timedelta(seconds=1))
    [fresh] = poll(owner, integration_id).json()["messages"]
    assert fresh["payload"]["n"] == "fresh"
    assert outbound_stream.reap_expired() == 1
    [row] = MonitoringEvent.objects.filter(source="poll", code="MSG_EXPIRED_UNPOLLED")
    assert row.level == "error" and row.details["event_name"] == "contract.created"
    assert OutboundQueueItem.objects.count() == 1
    rows = MonitoringEvent.objects.filter(integration_id=str(integration_id), source="poll")
    assert set(rows.values_list("code", "level")) >= {("MSG_ENQUEUED", "info"), ("MSG_EXPIRED_UNPOLLED", "error")}


def test_outbound_status_reports_depth_and_age_only_for_poll_use_cases(owner, stream):
    integration_id, use_case_id = stream
    publish(owner, n=1)
    status = owner.client.get(f"/v1/integrations/{integration_id}/outbound-status")
    assert_matches_contract("getOutboundStatus", status)
    [entry] = status.json()["useCases"]
    poll_status = entry["poll"]
    assert poll_status["queue_depth"] == 1 and poll_status["oldest_unconsumed_age_seconds"] >= 0
    assert poll_status["last_poll_at"] is None and poll_status["blocked"] is False and entry["status"] == "ok"
    poll(owner, integration_id)
    assert owner.client.get(f"/v1/integrations/{integration_id}/outbound-status").json()["useCases"][0][
        "poll"]["last_poll_at"] is not None


@pytest.mark.parametrize("body, field", [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "5"}, "limit"), ({"size": 1}, "size"),
])
def test_bad_poll_bodies_are_400_naming_the_field(owner, stream, body, field):
    integration_id, _ = stream
    response = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/poll", body, format="json")
    assert response.status_code == 400 and response.json()["message"].startswith(field)


@pytest.mark.parametrize("path, body, field", [
    ("ack", {}, "acks"), ("ack", {"acks": []}, "acks"), ("ack", {"acks": [{"id": "msg_1"}]}, "acks[0].lease_token"),
    ("ack", {"acks": [{"id": "m", "lease_token": "t", "x": 1}]}, "acks[0].x"),
    ("dlq/redrive", {"ids": []}, "ids"), ("dlq/redrive", {"ids": [1]}, "ids[0]"),
    ("dlq/redrive", {"ids": ["m"], "other": 1}, "other"), ("unblock", {"reason": "x" * 501}, "reason"),
])
def test_bad_bodies_are_400_naming_the_field(owner, stream, path, body, field):
    integration_id, _ = stream
    response = owner.client.post(f"/v1/integrations/{integration_id}/outbound/messages/{path}", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["message"].startswith(field)


def test_scopes_consume_for_poll_and_ack_manage_for_operators(owner, stream):
    integration_id, _ = stream
    base = f"/v1/integrations/{integration_id}/outbound/messages"
    consumer = make_api_persona(owner.organization, scopes=["integration:consume"])
    operator = make_api_persona(owner.organization, scopes=["integration:manage"])
    assert consumer.client.post(f"{base}/poll", {}, format="json").status_code == 200
    assert consumer.client.post(f"{base}/ack", {"acks": [{"id": "m", "lease_token": "t"}]},
                                format="json").status_code == 200
    for method, path, body in (("get", "dlq", None), ("post", "dlq/redrive", {"ids": ["m"]}),
                               ("post", "unblock", {})):
        denied = getattr(consumer.client, method)(f"{base}/{path}", body, format="json")
        assert denied.status_code == 403 and denied.json()["code"] == "FORBIDDEN"
        assert getattr(operator.client, method)(f"{base}/{path}", body, format="json").status_code == 200
    assert operator.client.post(f"{base}/poll", {}, format="json").status_code == 403


def test_another_organisations_stream_is_not_found(owner, other_org, stream):
    integration_id, _ = stream
    base = f"/v1/integrations/{integration_id}/outbound/messages"
    assert other_org.client.post(f"{base}/poll", {}, format="json").status_code == 404
    assert other_org.client.get(f"{base}/dlq").status_code == 404
    assert other_org.client.post(f"{base}/unblock", {}, format="json").status_code == 404
    assert owner.client.post("/v1/integrations/not-a-uuid/outbound/messages/poll", {}, format="json").status_code == 404


def test_each_use_case_applies_its_own_policy_inside_a_run(owner):
    integration_id = create_integration(owner)
    create_poll_use_case(owner, integration_id, max_delivery_attempts=5)
    create_poll_use_case(owner, integration_id, event="contract.updated", name="Strict", max_delivery_attempts=1)
    publish(owner, n="a1")
    publish(owner, "contract.updated", n="b1")
    publish(owner, n="a2")
    assert len(poll(owner, integration_id).json()["messages"]) == 3
    lapse_lease(integration_id)
    again = poll(owner, integration_id).json()["messages"]
    assert [m["payload"]["n"] for m in again] == ["a1", "a2"]  # b1 was dead-lettered, nothing twice
    [entry] = owner.client.get(f"/v1/integrations/{integration_id}/outbound/messages/dlq").json()["items"]
    assert entry["event_name"] == "contract.updated"


def test_openapi_documents_the_five_operations_at_the_contracts_paths(client):
    from tests.integrations.setup.test_config_openapi import operations
    from tests.spec import load_spec

    ours = operations(client.get("/openapi.json?format=json").json())
    contract = operations(load_spec("1.33"))
    for operation_id in ("pollOutboundMessages", "ackOutboundMessages", "listOutboundDlqMessages",
                         "redriveOutboundDlqMessages", "unblockOutboundStream"):
        assert ours.get(operation_id) == contract[operation_id], operation_id


def test_the_response_cap_shortens_the_run(owner, stream, monkeypatch):
    integration_id, _ = stream
    for n in range(3):
        publish(owner, n=n, blob="x" * 2000)
    monkeypatch.setattr(outbound_stream, "RESPONSE_CAP_BYTES", 6500)
    body = poll(owner, integration_id, limit=10).json()
    assert [m["payload"]["n"] for m in body["messages"]] == [0, 1] and body["has_more"] is True


def test_a_late_arrival_is_rekeyed_to_the_tail(owner, stream):
    integration_id, _ = stream
    publish(owner, n="now")
    ack(owner, integration_id, poll(owner, integration_id).json()["messages"])
    publish(owner, n="queued")
    response = owner.client.post("/v1/event-catalog/events", {
        "event_name": "contract.created", "payload": {"n": "late"}, "event_time": "2020-01-01T00:00:00Z"},
        format="json")
    assert response.status_code in (200, 201, 202)
    assert MonitoringEvent.objects.filter(source="poll", code="MSG_LATE_ARRIVAL", level="warning").count() == 1
    assert [m["payload"]["n"] for m in poll(owner, integration_id).json()["messages"]] == ["queued", "late"]


def test_the_reaper_works_through_a_backlog_in_batches(owner, stream):
    for n in range(5):
        publish(owner, n=n)
    OutboundQueueItem.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert outbound_stream.reap_expired(batch_size=2) == 5
    assert not OutboundQueueItem.objects.exists()


def test_every_state_change_writes_its_monitoring_row(owner):
    integration_id = create_integration(owner)
    use_case_id = create_poll_use_case(owner, integration_id, max_delivery_attempts=1)
    blocking = create_poll_use_case(owner, integration_id, event="contract.updated", name="Strict",
                                    poison_policy="block", max_delivery_attempts=1)
    response = owner.client.post("/v1/event-catalog/events", {
        "event_name": "contract.created", "payload": {"n": 1}, "correlation_id": "trace-1"}, format="json")
    event_id = response.json()["event_id"]
    ack(owner, integration_id, poll(owner, integration_id).json()["messages"])
    publish(owner, n=2)
    poll(owner, integration_id)
    lapse_lease(integration_id)
    poll(owner, integration_id)  # n=2 exhausted: dead-lettered
    publish(owner, "contract.updated", n=3)
    poll(owner, integration_id)
    lapse_lease(integration_id)
    poll(owner, integration_id)  # n=3 exhausted: blocks
    rows = MonitoringEvent.objects.filter(source="poll", integration_id=integration_id)
    assert sorted(rows.values_list("code", flat=True)) == sorted([
        "MSG_ENQUEUED", "MSG_ACKED", "MSG_ENQUEUED", "MSG_DEAD_LETTERED", "MSG_ENQUEUED", "MSG_HEAD_BLOCKED"])
    first = rows.filter(event_id=event_id)
    assert {r.code for r in first} == {"MSG_ENQUEUED", "MSG_ACKED"}
    assert {r.correlation_id for r in first} == {"trace-1"} and {r.use_case_id for r in first} == {use_case_id}
    assert rows.get(code="MSG_HEAD_BLOCKED").use_case_id == blocking
    assert rows.get(code="MSG_DEAD_LETTERED").level == "error"
    found = owner.client.post(f"/v2/integrations/{integration_id}/monitoring/events", {"code": "MSG_HEAD_BLOCKED"},
                              format="json")
    assert_matches_contract("queryMonitoringEventsV2", found)
    assert [e["code"] for e in found.json()["data"]] == ["MSG_HEAD_BLOCKED"]
