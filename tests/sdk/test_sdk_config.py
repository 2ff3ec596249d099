"""The official @epilot/sdk (integration-toolkit client) drives all 18 configuration operations.

Needs Node.js and ``npm ci`` in tests/sdk (the SDK version is pinned in package.json / package-lock.json);
skips with the reason otherwise.
"""
import pytest

from tests.conftest import make_api_persona
from tests.integrations.setup.test_config_openapi import CONFIG_OPERATIONS

from .harness import HERE, assert_sdk_calls_match_contract, calls_of, node_or_skip, run_sdk_script

# Other SDK tests import these two from here (they predate harness.py).
__all__ = ["HERE", "_node_or_skip"]
_node_or_skip = node_or_skip


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_every_configuration_operation(live_server):
    persona = make_api_persona()
    calls = run_sdk_script("run_config_operations.mjs", live_server, persona.token)
    assert {c.operationId for c in calls} == CONFIG_OPERATIONS
    assert_sdk_calls_match_contract(calls)
    renamed = calls_of(calls, "updateIntegrationV2")[0].body
    assert [u["name"] for u in renamed["use_cases"]] == ["Orders", "Customers"]
    assert renamed["use_cases"][0]["enabled"] is False
