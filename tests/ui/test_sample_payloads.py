"""Named sample payloads saved with a use case, and a recorded event opened in the editor."""
import json

import pytest

from integrations.inbound.services.accept import accept_events
from integrations.models import ErpEvent, SamplePayload
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def use_case(org):
    integration = IntegrationFactory(organization=org)
    return UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")


def url(use_case, suffix=""):
    return f"/integrations/{use_case.integration_id}/use-cases/{use_case.pk}/{suffix}"


def save(client, use_case, **body):
    response = client.post(url(use_case, "samples/"), json.dumps(body), content_type="application/json")
    return response, response.json() if response["Content-Type"].startswith("application/json") else None


def test_save_replace_list_and_delete(ui_client, use_case):
    client = ui_client("editor")
    response, body = save(client, use_case, name="Ada", format="json", payload='{"customerId": "C-1"}')
    assert response.status_code == 200
    assert body["sample"]["name"] == "Ada"
    save(client, use_case, name="Grace", format="xml", payload="<c id='2'/>")
    _, body = save(client, use_case, name="Ada", format="json", payload='{"customerId": "C-9"}')
    assert [s["name"] for s in body["samples"]] == ["Ada", "Grace"]  # most recently saved first
    assert SamplePayload.objects.get(name="Ada").payload == '{"customerId": "C-9"}'

    # The editor opens with the most recently saved one and lists all of them.
    page = client.get(url(use_case))
    assert page.context["sample_payload"] == '{"customerId": "C-9"}'
    assert [s["name"] for s in page.context["samples"]] == ["Ada", "Grace"]

    grace = SamplePayload.objects.get(name="Grace")
    response = client.post(url(use_case, f"samples/{grace.pk}/delete/"))
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["samples"]] == ["Ada"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "", "payload": "{}"}, "name"), ({"name": "x", "payload": " "}, "payload"),
     ({"name": "x", "payload": "{}", "format": "csv"}, "format"), ({"name": "x" * 101, "payload": "{}"}, "name")],
)
def test_bad_input_names_the_field(ui_client, use_case, body, field):
    response, data = save(ui_client("editor"), use_case, **body)
    assert response.status_code == 400
    assert data["code"] == "VALIDATION_ERROR" and data["message"].startswith(field)
    assert not SamplePayload.objects.exists()


def test_viewers_cannot_save_and_other_orgs_are_404(ui_client, use_case):
    response, _ = save(ui_client("viewer"), use_case, name="x", payload="{}")
    assert response.status_code == 403
    other = OrganizationFactory()
    response, _ = save(ui_client("editor", organization=other), use_case, name="x", payload="{}")
    assert response.status_code == 404
    sample = SamplePayload.objects.create(organization=use_case.organization, use_case=use_case, name="a", payload="{}")
    response = ui_client("editor", organization=other).post(url(use_case, f"samples/{sample.pk}/delete/"))
    assert response.status_code == 404
    assert SamplePayload.objects.filter(pk=sample.pk).exists()


def test_open_an_event_in_the_editor(ui_client, org, use_case, django_capture_on_commit_callbacks):
    body = {"integration_id": str(use_case.integration_id), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
         "payload": json.dumps({"firstName": "no id"})}]}
    with django_capture_on_commit_callbacks(execute=True):
        [result] = accept_events(org, "v3", body)
    event = ErpEvent.objects.get(pk=result["event_id"])
    client = ui_client("viewer")
    detail = client.get(f"/integrations/{use_case.integration_id}/events/{event.pk}/")
    link = f"{url(use_case)}?event={event.pk}"
    assert link in detail.content.decode()
    page = client.get(link)
    assert json.loads(page.context["sample_payload"]) == {"firstName": "no id"}
    assert page.context["opened_event"] == event
    other_org = ui_client("viewer", organization=OrganizationFactory())
    assert other_org.get(link).status_code == 404
    assert client.get(f"{url(use_case)}?event=00000000-0000-0000-0000-000000000000").status_code == 404
