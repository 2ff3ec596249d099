"""The official @epilot/sdk (integration-toolkit client) drives all 18 configuration operations.

Needs Node.js and ``npm ci`` in tests/sdk (the SDK version is pinned in package.json / package-lock.json);
skips with the reason otherwise.
"""
import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import make_api_persona
from tests.integrations.setup.test_config_openapi import CONFIG_OPERATIONS
from tests.spec import assert_matches_contract

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "run_config_operations.mjs"


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the @epilot/sdk check needs `node`")
    if not (HERE / "node_modules" / "@epilot" / "sdk" / "package.json").exists():
        pytest.skip("@epilot/sdk is not installed: run `npm ci` in tests/sdk")
    return node


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_every_configuration_operation(live_server):
    node = _node_or_skip()
    persona = make_api_persona()
    result = subprocess.run(
        [node, str(SCRIPT), live_server.url, persona.token],
        cwd=HERE, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    assert {c["operationId"] for c in calls} == CONFIG_OPERATIONS
    for c in calls:
        response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
        assert_matches_contract(c["operationId"], response)
    renamed = next(c for c in calls if c["operationId"] == "updateIntegrationV2")["body"]
    assert [u["name"] for u in renamed["use_cases"]] == ["Orders", "Customers"]
    assert renamed["use_cases"][0]["enabled"] is False
