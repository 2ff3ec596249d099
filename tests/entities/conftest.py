"""Every entity-store test runs twice: through the one-event write path and through the inbound pipeline's
set-based path (``integrations/inbound/services/lane_batches.py``), which must give the same result."""
import pytest

from tests.entities import helpers


@pytest.fixture(autouse=True, params=["one_by_one", "set_based"])
def write_path(request):
    helpers.WRITE_PATH["mode"] = request.param
    yield request.param
    helpers.WRITE_PATH["mode"] = "one_by_one"
