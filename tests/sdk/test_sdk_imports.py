"""The official @epilot/sdk integration-toolkit client drives the eight ERP import operations against a live
server, through the whole state machine (phases run on the server's own thread, as on the embedded default)."""
import json
import subprocess
from types import SimpleNamespace

import pytest
from django.db import connection

from entities.models import Entity
from integrations.models import ErpImport
from tests.conftest import make_api_persona
from tests.factories import UseCaseFactory
from tests.integrations.imports.conftest import PRODUCT_CONFIG
from tests.spec import assert_matches_contract

from .test_sdk_config import HERE, _node_or_skip

IMPORT_OPERATIONS = {"createErpImport", "listErpImports", "getErpImport", "deleteErpImport", "validateErpImport",
                     "suggestErpImportUseCases", "executeErpImport", "abortErpImport"}


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_the_import_state_machine(live_server, settings, tmp_path):
    node = _node_or_skip()
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the phases write on the server's thread while the client polls and "
                    "aborts, and the in-memory SQLite test database allows only one writer without waiting")
    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    settings.IMPORTS_RUN_IN_THREAD = True
    settings.IMPORTS_BATCH_SIZE = 1  # many batch boundaries, so abort and delete land mid-run
    persona = make_api_persona()
    use_case = UseCaseFactory(integration__organization=persona.organization, name="Products", slug="products",
                              configuration=PRODUCT_CONFIG)
    result = subprocess.run(
        [node, str(HERE / "run_import_operations.mjs"), live_server.url, persona.token,
         str(use_case.integration_id), str(use_case.id)],
        cwd=HERE, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    assert {c["operationId"] for c in calls} >= IMPORT_OPERATIONS
    for c in calls:
        if c["operationId"] in IMPORT_OPERATIONS:
            response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
            assert_matches_contract(c["operationId"], response)
    imported = next(c["body"] for c in calls if c["operationId"] == "getErpImport" and c["body"]["status"] == "IMPORTED")
    assert imported["progress"] == {"processed_rows": 5, "total_rows": 5}
    assert next(c for c in calls if c["status"] == 409 and c["operationId"] == "executeErpImport")["body"]["code"] == \
        "VALIDATION_STALE"
    cancelled = next(c["body"] for c in calls if c["operationId"] == "getErpImport" and c["body"]["status"] == "CANCELLED")
    assert 0 < cancelled["progress"]["processed_rows"] < 400  # aborted at a batch boundary, not rolled back
    codes = {e.attributes["code"] for e in Entity.objects.filter(organization=persona.organization)}
    assert {f"A-{i}" for i in range(5)} <= codes
    assert len(codes & {f"A-{i}" for i in range(100, 500)}) == cancelled["progress"]["processed_rows"]
    assert ErpImport.objects.filter(organization=persona.organization).count() == 3  # the deleted one is gone
