"""The official @epilot/sdk (integration-toolkit client, v1.33) drives the 9 monitoring v2 and notification
operations and settings.notifications on integration writes, and the v0.46 monitoring operations over the same
store (validated against both contracts). Skips without Node.js or tests/sdk/node_modules."""
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail

from erpintegration.tokens import issue_token
from tests.factories import MembershipFactory, OrganizationFactory
from tests.sdk.test_sdk_config import _node_or_skip
from tests.spec import assert_matches_contract

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "run_monitoring_v2_operations.mjs"
OPERATIONS = {
    "queryMonitoringEventsV2", "getMonitoringStatsV2", "getMonitoringTimeSeriesV2", "getAssociatedMonitoringEvents",
    "ingestExternalMonitoringEvents", "getMonitoringTraceByCorrelation", "listNotificationHistory",
    "testSendNotification", "getNotificationStatus",
}


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_the_monitoring_v2_and_notification_operations(live_server):
    node = _node_or_skip()
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization, role="admin", user__email="dev@example.com")
    issued = issue_token(organization, "sdk", created_by=member.user)
    result = subprocess.run([node, str(SCRIPT), live_server.url, issued.plaintext, str(member.user.pk)],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    assert {c["operationId"] for c in calls} >= OPERATIONS
    for c in calls:
        response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
        assert_matches_contract(c["operationId"], response)
    by_op = {c["operationId"]: c["body"] for c in calls}
    assert by_op["getMonitoringTraceByCorrelation"]["status"] == "success"
    assert by_op["getNotificationStatus"]["health"] == "healthy"
    assert len([r for r in by_op["getNotificationStatus"]["rules"] if r["baseline"] is not None]) == 1
    assert by_op["testSendNotification"]["recipient"] == str(member.user.pk)
    assert [m.to for m in mail.outbox] == [["dev@example.com"]]
    stats = by_op["getMonitoringStats"]["inbound"]
    assert (stats["total_events"], stats["success_count"], stats["skipped_count"]) == (1, 1, 0)
