"""UI routes of the entity-schema registry."""
from django.urls import path

from . import registry_views as views

urlpatterns = [
    path("entity-schemas/", views.registry, name="list"),
    path("entity-schemas/new/", views.registry_edit, name="create"),
    path("entity-schemas/<str:slug>/", views.registry_edit, name="edit"),
    path("entity-schemas/<str:slug>/delete/", views.registry_delete, name="delete"),
]
