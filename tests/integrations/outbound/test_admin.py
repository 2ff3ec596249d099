"""Operators see webhooks, catalog events and deliveries in the admin, never a secret or header value."""
import pytest
from django.contrib.auth import get_user_model

from integrations.models import CatalogEvent, OutboundDelivery
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    return client


def test_outbound_admin_pages_render_without_secrets(admin_client, owner):
    webhook, secret = make_webhook(owner.organization, "https://erp.example.com/hook",
                                   headers={"Authorization": "Bearer erp-token"})
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    publish(owner)
    delivery = OutboundDelivery.objects.get()
    event = CatalogEvent.objects.get()
    for url in ["/admin/integrations/webhook/", f"/admin/integrations/webhook/{webhook.pk}/change/",
                "/admin/integrations/catalogevent/", f"/admin/integrations/catalogevent/{event.pk}/change/",
                "/admin/integrations/outbounddelivery/?status__exact=pending",
                f"/admin/integrations/outbounddelivery/{delivery.pk}/change/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert secret not in page and "erp-token" not in page and "enc:v1:" not in page, url
