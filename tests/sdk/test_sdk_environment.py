"""The official @epilot/sdk (integration-toolkit client, v1.33) drives maps, env_var_ref/portal_ref
configurations, the four documentation page operations and getEntitySyncStatus against a live server."""
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from integrations.models import PortalConfig
from tests.conftest import make_api_persona
from tests.sdk.test_sdk_config import _node_or_skip
from tests.spec import assert_matches_contract

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "run_environment_operations.mjs"
OPERATIONS = {"createIntegration", "updateIntegration", "updateIntegrationV2", "getIntegrationV2", "createUseCase",
              "simulateMappingV2", "upsertDocumentationPage", "listDocumentationPages", "getDocumentationPage",
              "deleteDocumentationPage", "processErpUpdatesEventsV3", "getEntitySyncStatus", "deleteIntegration"}


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_maps_references_documentation_and_sync_status(live_server):
    node = _node_or_skip()
    persona = make_api_persona()
    PortalConfig.objects.create(organization=persona.organization, portal_id="portal-42",
                                origin="END_CUSTOMER_PORTAL", name="Kundenportal")
    result = subprocess.run([node, str(SCRIPT), live_server.url, persona.token], cwd=HERE,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    out = json.loads(result.stdout.strip().splitlines()[-1])
    calls = out["calls"]
    assert {c["operationId"] for c in calls} == OPERATIONS
    for c in calls:
        response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
        assert_matches_contract(c["operationId"], response)
    by_op = {}
    for c in calls:
        by_op.setdefault(c["operationId"], []).append(c)

    assert [m["key"] for m in by_op["getIntegrationV2"][0]["body"]["maps"]] == ["salutations", "status"]
    assert "maps[0].key" in by_op["updateIntegration"][0]["body"]["message"]
    assert "portal_ref.select" in by_op["createUseCase"][1]["body"]["message"]
    attributes = out["simulated"]["entity_updates"][0]["attributes"]
    # the simulation API without the integration_id extension knows no maps: $mapValue gives its default
    assert attributes == {"customer_number": "C-77", "salutation": "unknown", "missing": "fallback",
                          "portal_id": "portal-42"}
    assert out["entity"]["attributes"]["salutation"] == "Ms."  # the worker had the integration's maps

    assert [p["id"] for p in by_op["listDocumentationPages"][0]["body"]["pages"]][0] == "general"
    assert by_op["getDocumentationPage"][0]["body"]["content"] == "*customer master data*"
    [status, narrowed, bad] = by_op["getEntitySyncStatus"]
    assert status["body"]["sync_states"][0]["last_operation"] == "create"
    assert narrowed["body"] == status["body"]
    assert bad["status"] == 400
