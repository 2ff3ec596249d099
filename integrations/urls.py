"""UI routes of the integrations app (the API routes live in ``integrations/api``)."""
from django.urls import include, path

from . import views

integration_patterns = [
    path("", views.integration_list, name="list"),
]

urlpatterns = [
    path("integrations/", include((integration_patterns, "ui-integrations"))),
]
