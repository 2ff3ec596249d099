"""Webhooks CRUD: org-scoped, secret shown only on create/rotate, secret and headers encrypted at rest."""
import pytest
from django.db import connection

from integrations.models import Webhook
from tests.integrations.outbound.helpers import (
    make_webhook,
    mapping,
    outbound_use_case,
    publish,
    verify_standard_webhook,
)

pytestmark = pytest.mark.django_db


def create(persona, **body):
    body = {"name": "SAP", "url": "https://erp.example.com/hooks/epilot", **body}
    return persona.client.post("/v1/webhooks", body, format="json")


def test_create_shows_the_secret_once(owner):
    response = create(owner, headers={"Authorization": "Basic c2VjcmV0"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    assert body["headers"] == {"Authorization": "********"}
    secret = body["secret"]

    listed = owner.client.get("/v1/webhooks")
    detail = owner.client.get(f"/v1/webhooks/{body['id']}")
    updated = owner.client.put(f"/v1/webhooks/{body['id']}", {"enabled": False}, format="json")
    for response in (listed, detail, updated):
        assert response.status_code == 200
        assert secret not in response.content.decode() and "c2VjcmV0" not in response.content.decode()
        assert "secret" not in response.content.decode()
    assert listed.json()["webhooks"][0]["id"] == body["id"]
    assert updated.json()["enabled"] is False and updated.json()["name"] == "SAP"


def test_secret_and_headers_are_encrypted_at_rest(owner):
    body = create(owner, headers={"X-Api-Key": "plain-api-key"}).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted, headers_encrypted FROM integrations_webhook")
        secret_column, headers_column = cursor.fetchone()
    assert secret_column.startswith("enc:v1:") and body["secret"] not in secret_column
    assert headers_column.startswith("enc:v1:") and "plain-api-key" not in headers_column
    webhook = Webhook.objects.get()
    assert webhook.signing_secret() == body["secret"]
    assert webhook.custom_headers() == {"X-Api-Key": "plain-api-key"}


def test_rotate_secret_signs_new_deliveries_with_the_new_secret(owner, receiver,
                                                               django_capture_on_commit_callbacks):
    webhook, old_secret = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    response = owner.client.post(f"/v1/webhooks/{webhook.id}/rotate-secret")
    assert response.status_code == 200
    new_secret = response.json()["secret"]
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    [received] = receiver.requests
    verify_standard_webhook(new_secret, received.headers, received.body)
    with pytest.raises(AssertionError):
        verify_standard_webhook(old_secret, received.headers, received.body)


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": "a\u0000b"}, "Malformed request body: name"),
    ({"url": "ftp://erp.example.com"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"enabled": "yes"}, "enabled"),
    ({"headers": {"webhook-signature": "x"}}, "headers.webhook-signature"),
    ({"headers": {"X-Bad": "line\r\nbreak"}}, "headers.X-Bad"),
    ({"headers": ["a"]}, "headers"),
    ({"secret": "whsec_mine"}, "secret"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_webhooks_are_rejected_naming_the_field(owner, body, field):
    response = create(owner, **body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(field), response.json()
    assert not Webhook.objects.exists()


def test_name_and_url_are_required(owner):
    response = owner.client.post("/v1/webhooks", {"name": "x"}, format="json")
    assert response.status_code == 400 and response.json()["message"] == "url: this field is required"


def test_update_and_delete(owner):
    webhook_id = create(owner).json()["id"]
    response = owner.client.put(f"/v1/webhooks/{webhook_id}", {"url": "https://erp2.example.com/x",
                                                                "headers": {"X-A": "1"}}, format="json")
    assert response.status_code == 200 and response.json()["url"] == "https://erp2.example.com/x"
    assert response.json()["headers"] == {"X-A": "********"}
    assert owner.client.delete(f"/v1/webhooks/{webhook_id}").json() == {"message": "Webhook deleted"}
    assert owner.client.get(f"/v1/webhooks/{webhook_id}").status_code == 404


def test_other_organisations_webhooks_are_not_found(owner, other_org, anonymous):
    webhook_id = create(owner).json()["id"]
    assert other_org.client.get(f"/v1/webhooks/{webhook_id}").status_code == 404
    assert other_org.client.put(f"/v1/webhooks/{webhook_id}", {"enabled": False}, format="json").status_code == 404
    assert other_org.client.post(f"/v1/webhooks/{webhook_id}/rotate-secret").status_code == 404
    assert other_org.client.delete(f"/v1/webhooks/{webhook_id}").status_code == 404
    assert other_org.client.get("/v1/webhooks").json() == {"webhooks": []}
    assert owner.client.get("/v1/webhooks/not-a-uuid").status_code == 404
    assert anonymous.get("/v1/webhooks").status_code == 401
    assert Webhook.objects.get().enabled is True
