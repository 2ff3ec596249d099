"""Processing tests run with the set-based lane batches on and off: the results must be the same."""
import pytest


@pytest.fixture(autouse=True, params=["set_based", "one_by_one"])
def write_path(request, settings):
    settings.INBOUND_SET_BASED_WRITES = request.param == "set_based"
    return request.param
