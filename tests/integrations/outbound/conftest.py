import pytest

from tests.integrations.outbound.helpers import start_receiver


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1, allow-listed for the SSRF guard; fast retries."""
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_DELIVERY_BACKOFF_SECONDS = 0.01
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 3
    settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS = 2
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
