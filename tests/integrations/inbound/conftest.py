"""Processing tests run with the set-based lane batches on and off: the results must be the same. The
real-worker tests run once (their workers use the default, batching on)."""
import pytest

WRITE_PATHS = ["set_based", "one_by_one"]


def pytest_generate_tests(metafunc):
    if "write_path" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("celery_worker"):
        metafunc.parametrize("write_path", WRITE_PATHS, indirect=True)


@pytest.fixture(autouse=True)
def write_path(request, settings):
    path = getattr(request, "param", "set_based")
    settings.INBOUND_SET_BASED_WRITES = path == "set_based"
    return path
