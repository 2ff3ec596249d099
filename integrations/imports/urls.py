"""UI routes of imports (the API routes live in ``integrations/imports/api``)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="list"),
    path("upload/", views.import_upload, name="upload"),
    path("<str:import_id>/", views.import_detail, name="detail"),
    path("<str:import_id>/status/", views.import_status, name="status"),
    path("<str:import_id>/validate/", views.import_validate, name="validate"),
    path("<str:import_id>/execute/", views.import_execute, name="execute"),
    path("<str:import_id>/abort/", views.import_abort, name="abort"),
    path("<str:import_id>/delete/", views.import_delete, name="delete"),
]
