"""The stream page in Chromium: the blocked banner's unblock with a reason, a DLQ payload shown on demand,
and select-and-redrive; then the ERP polls the redriven messages."""
import pytest

from integrations.models import OutboundQueueItem, OutboundStream
from integrations.outbound.services import stream as outbound_stream
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.integrations.outbound.poll_fixtures import troubled_stream

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_unblocks_and_redrives_from_the_stream_page(page, shot, login):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="operator"), organization=org, role="editor")
    integration = troubled_stream(org)
    blocked = OutboundQueueItem.objects.get(payload__contract_number="C-2")

    login("operator")
    page.goto(f"/integrations/{integration.pk}/stream/")
    banner = page.locator("[data-stream-blocked]")
    expect(banner).to_contain_text(blocked.message_id)
    expect(page.locator("[data-stat=dlq]")).to_have_text("1")
    shot("01-blocked")

    banner.get_by_label("Reason (recorded on the dead-lettered message)").fill("C-2 fixed by hand in SAP")
    page.once("dialog", lambda dialog: dialog.accept())
    banner.get_by_role("button", name="Unblock").click()
    expect(page.get_by_text(f"Unblocked: {blocked.message_id} moved to the dead-letter queue.")).to_be_visible()
    expect(page.locator("[data-stream-blocked]")).to_have_count(0)
    expect(page.locator("[data-stat=dlq]")).to_have_text("2")
    assert OutboundStream.objects.get(pk=integration.pk).blocked_item_id is None
    expect(page.locator(f"[data-dlq-row='{blocked.message_id}']")).to_contain_text("C-2 fixed by hand in SAP")
    shot("02-unblocked")

    dead = OutboundQueueItem.objects.get(payload__contract_number="C-1")
    page.locator(f"[data-dlq-row='{dead.message_id}']").get_by_role("button", name="Show payload").click()
    expect(page.locator(f"[data-payload-row='{dead.message_id}']")).to_contain_text('"contract_number": "C-1"')
    shot("03-payload")

    for message_id in (dead.message_id, blocked.message_id):
        page.get_by_label(f"Select {message_id}").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Redrive selected").click()
    expect(page.get_by_text("Redrove 2 messages to the tail of the stream.")).to_be_visible()
    expect(page.get_by_text("The dead-letter queue is empty")).to_be_visible()
    expect(page.locator("[data-stat=depth]")).to_have_text("3")
    shot("04-redriven")

    batch = outbound_stream.poll(org, integration.pk, {"limit": 10})["messages"]
    assert [m["payload"]["contract_number"] for m in batch] == ["C-3", "C-1", "C-2"]  # redriven to the tail


def test_poll_delivery_is_chosen_in_the_outbound_editor(page, shot, login):
    from playwright.sync_api import expect

    from integrations.models import UseCase
    from tests.factories import IntegrationFactory

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/use-cases/new/?type=outbound")
    page.get_by_label("Name").fill("Contracts for the ERP")
    page.get_by_role("button", name="Create use case").click()
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    page.get_by_label("Catalog event").fill("contract.created")
    page.get_by_role("button", name="+ Add mapping").click()
    page.get_by_label("Name of mapping 1").fill("ERP pulls")
    page.get_by_label("Delivery of mapping 1").select_option("poll")
    expect(page.get_by_label("Webhook id of mapping 1")).to_have_count(0)
    page.get_by_label("Max delivery attempts of mapping 1").fill("3")
    page.get_by_label("Poison policy of mapping 1").select_option("block")
    page.get_by_label("Describe this change").fill("The ERP polls new contracts")
    shot("01-poll-mapping")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as a new version.")).to_be_visible()
    [mapping] = UseCase.objects.get(integration=integration).configuration["mappings"]
    assert mapping["delivery"] == {"type": "poll", "max_delivery_attempts": 3, "poison_policy": "block"}
    assert "jsonata_expression" not in mapping and mapping["name"] == "ERP pulls"
