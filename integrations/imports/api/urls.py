"""Import paths exactly as the contract, colon actions included (``importId`` never holds a colon)."""
from django.urls import path, re_path

from . import views as v

urlpatterns = [
    path("v2/erp/imports", v.ImportListView.as_view(), name="api-erp-imports"),
    path("v2/erp/imports/uploads", v.ImportUploadView.as_view(), name="api-erp-import-upload"),
    re_path(r"^v2/erp/imports/(?P<import_id>[^/:]+):validate$", v.ImportValidateView.as_view(),
            name="api-erp-import-validate"),
    re_path(r"^v2/erp/imports/(?P<import_id>[^/:]+):suggest-use-cases$", v.ImportSuggestView.as_view(),
            name="api-erp-import-suggest"),
    re_path(r"^v2/erp/imports/(?P<import_id>[^/:]+):execute$", v.ImportExecuteView.as_view(),
            name="api-erp-import-execute"),
    re_path(r"^v2/erp/imports/(?P<import_id>[^/:]+):abort$", v.ImportAbortView.as_view(),
            name="api-erp-import-abort"),
    path("v2/erp/imports/<str:import_id>", v.ImportDetailView.as_view(), name="api-erp-import"),
]
