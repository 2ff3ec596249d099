"""The organisation's portal registry pages under ``/settings/portals/`` (namespace ``ui-portals``)."""
from django.urls import path

from integrations.setup import views_portals

urlpatterns = [
    path("", views_portals.portal_list, name="list"),
    path("new/", views_portals.portal_create, name="create"),
    path("import/", views_portals.portal_import, name="import"),
    path("<str:portal_pk>/", views_portals.portal_edit, name="edit"),
    path("<str:portal_pk>/delete/", views_portals.portal_delete, name="delete"),
]
