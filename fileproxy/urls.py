from django.urls import path

from fileproxy import views

urlpatterns = [
    path("download", views.download, name="fileproxy-download"),
]
