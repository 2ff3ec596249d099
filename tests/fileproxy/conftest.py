import pytest
from django.core.cache import cache

from tests.fileproxy.fake_erp import start_fake_erp


@pytest.fixture
def fake_erp():
    erp = start_fake_erp()
    yield erp
    erp.server.shutdown()
    erp.server.server_close()


@pytest.fixture
def allow_loopback(settings):
    """The fake ERP listens on 127.0.0.1, which the SSRF guard refuses unless allow-listed."""
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1/32"]


@pytest.fixture(autouse=True)
def _clear_token_cache():
    cache.clear()
    yield
    cache.clear()
