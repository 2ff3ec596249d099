"""The stream page: figures, the blocked banner with unblock, the DLQ with payload on demand and redrive,
the visibility timeout, the consumer example; editors act, viewers only look; other organisations 404."""
import pytest
from rest_framework.test import APIClient

from erpintegration import scopes
from integrations.models import OutboundQueueItem, OutboundStream
from integrations.outbound.services import catalog
from tests.factories import IntegrationFactory, OrganizationFactory
from tests.integrations.outbound.poll_fixtures import poll_use_case, troubled_stream

pytestmark = pytest.mark.django_db


def test_page_shows_the_blocked_head_the_dlq_and_the_consumer_example(org, ui_client):
    integration = troubled_stream(org)
    page = ui_client("viewer").get(f"/integrations/{integration.pk}/stream/")
    html = page.content.decode()
    assert page.status_code == 200
    blocked = OutboundQueueItem.objects.get(payload__contract_number="C-2")
    assert "The stream is blocked" in html and blocked.message_id in html
    assert "Contract updates" in html and "New contracts" in html
    dead = OutboundQueueItem.objects.get(payload__contract_number="C-1")
    assert f'data-dlq-row="{dead.message_id}"' in html and "max_delivery_attempts exhausted" in html
    assert f"/v1/integrations/{integration.pk}/outbound/messages" in html and "lease_token" in html
    assert "/stream/unblock/" not in html and 'name="ids"' not in html  # a viewer gets no unblock, no redrive
    assert "/stream/unblock/" in ui_client("editor").get(f"/integrations/{integration.pk}/stream/").content.decode()


def test_payload_is_fetched_on_demand(org, ui_client):
    integration = troubled_stream(org)
    dead = OutboundQueueItem.objects.get(payload__contract_number="C-1")
    response = ui_client("viewer").get(f"/integrations/{integration.pk}/stream/dlq/{dead.message_id}/payload/")
    assert response.status_code == 200 and response.json()["payload"]["contract_number"] == "C-1"
    assert ui_client("viewer").get(f"/integrations/{integration.pk}/stream/dlq/msg_nope/payload/").status_code == 404


def test_editor_unblocks_with_a_reason_and_redrives(org, ui_client):
    integration = troubled_stream(org)
    editor = ui_client("editor")
    response = editor.post(f"/integrations/{integration.pk}/stream/unblock/", {"reason": "fixed in the ERP"},
                           follow=True)
    assert "moved to the dead-letter queue" in response.content.decode()
    assert OutboundStream.objects.get(pk=integration.pk).blocked_item_id is None
    skipped = OutboundQueueItem.objects.get(payload__contract_number="C-2")
    assert skipped.state == "dead_lettered" and skipped.reason == "fixed in the ERP"
    again = editor.post(f"/integrations/{integration.pk}/stream/unblock/", follow=True)
    assert "was not blocked" in again.content.decode()

    ids = list(OutboundQueueItem.objects.filter(state="dead_lettered").values_list("message_id", flat=True))
    response = editor.post(f"/integrations/{integration.pk}/stream/redrive/", {"ids": ids}, follow=True)
    assert "Redrove 2 messages" in response.content.decode()
    assert not OutboundQueueItem.objects.filter(state="dead_lettered").exists()
    assert OutboundQueueItem.objects.filter(state="available").count() == 3


def test_visibility_timeout_is_editable_and_validated(org, ui_client):
    integration = troubled_stream(org)
    editor = ui_client("editor")
    editor.post(f"/integrations/{integration.pk}/stream/settings/", {"visibility_timeout_seconds": "60"})
    assert OutboundStream.objects.get(pk=integration.pk).visibility_timeout_seconds == 60
    response = editor.post(f"/integrations/{integration.pk}/stream/settings/",
                           {"visibility_timeout_seconds": "5"}, follow=True)
    assert "from 10 to 43200" in response.content.decode()
    assert OutboundStream.objects.get(pk=integration.pk).visibility_timeout_seconds == 60


def test_viewers_cannot_act_and_other_organisations_get_404(org, ui_client):
    integration = troubled_stream(org)
    assert ui_client("viewer").post(f"/integrations/{integration.pk}/stream/unblock/").status_code == 403
    assert OutboundStream.objects.get(pk=integration.pk).blocked_item_id is not None
    stranger = ui_client("editor", organization=OrganizationFactory())
    assert stranger.get(f"/integrations/{integration.pk}/stream/").status_code == 404
    assert stranger.post(f"/integrations/{integration.pk}/stream/unblock/").status_code == 404


def test_an_integration_without_poll_use_cases_explains_how_to_start(org, ui_client):
    integration = IntegrationFactory(organization=org)
    html = ui_client("viewer").get(f"/integrations/{integration.pk}/stream/").content.decode()
    assert "No poll-mode use case yet" in html and "The dead-letter queue is empty" in html


def test_a_consume_only_token_made_on_the_tokens_page_polls_and_nothing_more(org, ui_client):
    integration = IntegrationFactory(organization=org)
    poll_use_case(integration, "contract.created", "New contracts")
    for number in ("C-2", "C-3"):
        catalog.publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": number}})
    issued = ui_client("admin").post("/settings/tokens/", {"name": "SAP poller", "scopes": [scopes.CONSUME],
                                                            "scopes_shown": "True"}).context["issued"]
    erp = APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    base = f"/v1/integrations/{integration.pk}/outbound/messages"
    batch = erp.post(f"{base}/poll", {"limit": 10}, format="json").json()["messages"]
    assert [m["payload"]["contract_number"] for m in batch] == ["C-2", "C-3"]
    acks = [{"id": m["id"], "lease_token": m["lease_token"]} for m in batch]
    assert {r["status"] for r in erp.post(f"{base}/ack", {"acks": acks}, format="json").json()["results"]} == {
        "accepted"}
    assert erp.get(f"{base}/dlq").status_code == 403
    assert erp.post(f"{base}/unblock", {}, format="json").status_code == 403
