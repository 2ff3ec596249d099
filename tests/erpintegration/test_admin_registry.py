"""Every model of ours is in Django admin (operators need them), and every changelist renders."""
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = ("erpintegration", "integrations", "entities", "monitoring", "fileproxy")
SHOWN_INLINE = {"entities.EntityRelation"}  # edited as an inline of Entity


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_model_is_registered(model):
    assert admin.site.is_registered(model) or model._meta.label in SHOWN_INLINE


@pytest.mark.django_db
def test_every_changelist_renders_for_staff(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    for model in our_models():
        if not admin.site.is_registered(model):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
