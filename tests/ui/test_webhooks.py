"""Webhook pages: list, create (secret shown once), edit (header values never shown back), rotate, delete;
viewers read, editors change; another organisation's webhook is a 404."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import Webhook
from integrations.outbound.services.webhooks import create_webhook
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

API_KEY = "erp-api-key-0123456789"


def management(total, initial=0, prefix="headers"):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


@pytest.fixture
def hook(org):
    return create_webhook(org, {"name": "SAP", "url": "https://erp.example/hook", "headers": {"X-Api-Key": API_KEY}})


def test_create_shows_the_secret_once(ui_client, org):
    client = ui_client("editor")
    response = client.post("/webhooks/new/", {
        "name": "SAP PI", "url": "https://erp.example/in", "enabled": "on", **management(1),
        "headers-0-name": "X-Api-Key", "headers-0-value": API_KEY,
    })
    assert response.status_code == 200
    webhook = Webhook.objects.get(organization=org)
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret == webhook.signing_secret()
    assert secret in response.content.decode() and API_KEY not in response.content.decode()
    assert webhook.custom_headers() == {"X-Api-Key": API_KEY} and webhook.enabled

    listing = client.get("/webhooks/").content.decode()
    assert "SAP PI" in listing and "X-Api-Key" in listing
    assert secret not in listing and API_KEY not in listing
    edit = client.get(f"/webhooks/{webhook.pk}/").content.decode()
    assert secret not in edit and API_KEY not in edit and "set - leave empty to keep" in edit


def test_create_reports_bad_input_next_to_the_field(ui_client):
    client = ui_client("editor")
    response = client.post("/webhooks/new/", {"name": "", "url": "ftp://x", **management(0)})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post("/webhooks/new/", {"name": "x", "url": "ftp://x", **management(0)})
    assert response.status_code == 400 and "Only http and https" in str(response.context["form"].errors["url"])
    response = client.post("/webhooks/new/", {"name": "x", "url": "https://ok.example", **management(1),
                                              "headers-0-name": "webhook-signature", "headers-0-value": "v"})
    assert response.status_code == 400 and b"set by the server" in response.content
    response = client.post("/webhooks/new/", {"name": "x", "url": "https://ok.example", **management(1),
                                              "headers-0-name": "X-Key", "headers-0-value": ""})
    assert response.status_code == 400 and b"Give the header a value" in response.content
    assert not Webhook.objects.exists()


def test_edit_keeps_replaces_adds_and_removes_headers(ui_client, hook):
    webhook = hook.webhook
    webhook.set_headers({"X-Api-Key": API_KEY, "X-Tenant": "t1"})
    webhook.save()
    client = ui_client("editor")
    data = {"name": "SAP prod", "url": "https://erp.example/v2", **management(3, initial=2),
            "headers-0-name": "X-Api-Key", "headers-0-existing": "True", "headers-0-value": "",
            "headers-1-name": "X-Tenant", "headers-1-existing": "True", "headers-1-DELETE": "on",
            "headers-2-name": "X-Region", "headers-2-value": "eu"}
    response = client.post(f"/webhooks/{webhook.pk}/", data)
    assert response.status_code == 302 and response["Location"] == "/webhooks/"
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.enabled) == ("SAP prod", "https://erp.example/v2", False)
    assert webhook.custom_headers() == {"X-Api-Key": API_KEY, "X-Region": "eu"}

    data = {"name": "SAP prod", "url": "https://erp.example/v2", "enabled": "on", **management(2, initial=2),
            "headers-0-name": "X-Api-Key", "headers-0-existing": "True", "headers-0-value": "new-key",
            "headers-1-name": "X-Region", "headers-1-existing": "True"}
    assert client.post(f"/webhooks/{webhook.pk}/", data).status_code == 302
    webhook.refresh_from_db()
    assert webhook.enabled and webhook.custom_headers() == {"X-Api-Key": "new-key", "X-Region": "eu"}


def test_rotate_shows_the_new_secret_once_and_the_old_one_stops(ui_client, hook):
    response = ui_client("editor").post(f"/webhooks/{hook.webhook.pk}/rotate-secret/")
    assert response.status_code == 200
    new = response.context["secret"]
    hook.webhook.refresh_from_db()
    assert new != hook.secret and hook.webhook.signing_secret() == new
    assert new in response.content.decode() and b"no longer works" in response.content
    assert "no-store" in response["Cache-Control"]


def test_delete_asks_then_deletes(ui_client, hook):
    client = ui_client("editor")
    assert b"Delete webhook" in client.get(f"/webhooks/{hook.webhook.pk}/delete/").content
    response = client.post(f"/webhooks/{hook.webhook.pk}/delete/")
    assert response.status_code == 302 and not Webhook.objects.exists()


def test_viewer_reads_the_list_but_changes_nothing(ui_client, hook):
    client = ui_client("viewer")
    listing = client.get("/webhooks/")
    assert listing.status_code == 200 and b"SAP" in listing.content and b"New webhook" not in listing.content
    pk = hook.webhook.pk
    assert client.get("/webhooks/new/").status_code == 403
    assert client.post("/webhooks/new/", {"name": "x", "url": "https://x.example", **management(0)}).status_code == 403
    assert client.get(f"/webhooks/{pk}/").status_code == 403
    assert client.post(f"/webhooks/{pk}/rotate-secret/").status_code == 403
    assert client.post(f"/webhooks/{pk}/delete/").status_code == 403
    hook.webhook.refresh_from_db()
    assert Webhook.objects.count() == 1 and hook.webhook.signing_secret() == hook.secret


def test_another_organisations_webhook_is_404(ui_client):
    theirs = create_webhook(OrganizationFactory(), {"name": "Foreign", "url": "https://f.example"})
    client = ui_client("admin")
    pk = theirs.webhook.pk
    assert b"Foreign" not in client.get("/webhooks/").content
    assert client.get(f"/webhooks/{pk}/").status_code == 404
    assert client.post(f"/webhooks/{pk}/", {"name": "x", "url": "https://x.example", **management(0)}).status_code == 404
    assert client.post(f"/webhooks/{pk}/rotate-secret/").status_code == 404
    assert client.post(f"/webhooks/{pk}/delete/").status_code == 404
    assert client.get("/webhooks/not-a-uuid/").status_code == 404
    theirs.webhook.refresh_from_db()
    assert theirs.webhook.signing_secret() == theirs.secret and theirs.webhook.name == "Foreign"


def test_rotate_needs_post(ui_client, hook):
    assert ui_client("editor").get(f"/webhooks/{hook.webhook.pk}/rotate-secret/").status_code == 405


def test_list_query_count_does_not_grow(ui_client, org):
    client = ui_client("viewer")
    create_webhook(org, {"name": "a", "url": "https://a.example", "headers": {"X-A": "1"}})
    client.get("/webhooks/")
    with CaptureQueriesContext(connection) as few:
        client.get("/webhooks/")
    for n in range(10):
        create_webhook(org, {"name": f"w{n}", "url": "https://b.example", "headers": {"X-B": "2"}})
    with CaptureQueriesContext(connection) as many:
        client.get("/webhooks/")
    assert len(many) == len(few)


def test_side_navigation_links_webhooks(ui_client):
    assert b'href="/webhooks/"' in ui_client("viewer").get("/integrations/").content
