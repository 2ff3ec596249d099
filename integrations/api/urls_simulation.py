"""Mapping simulation operations (paths exactly as the contract, no trailing slash)."""
from django.urls import path

from .views_direct import SimulateDirectView
from .views_simulation import SimulateMappingV1View, SimulateMappingV2View

urlpatterns = [
    path("v2/erp/updates/mapping_simulation", SimulateMappingV2View.as_view(), name="simulate-mapping-v2"),
    path("v1/erp/updates/mapping_simulation", SimulateMappingV1View.as_view(), name="simulate-mapping"),
    path("v1/erp/updates/direct_simulation", SimulateDirectView.as_view(), name="simulate-direct"),
]
