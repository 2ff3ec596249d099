from django.urls import path

from fileproxy import views

urlpatterns = [
    path("download", views.download, name="fileproxy-download"),
    # prevent_indirect_serving: we always stream, so the streaming path is the same download (an alias)
    path("stream/download", views.download, name="fileproxy-stream-download"),
]
