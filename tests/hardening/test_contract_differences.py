"""Issue 10.9: differences from the contracts found by schemathesis, decided one by one
(docs/contract-differences.md): these three now follow the contract."""
import pytest

from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def test_a_blank_ack_id_is_an_unknown_tracking_record(anonymous):
    response = anonymous.post("/v1/erp/tracking/acknowledgement", {"ack_id": ""}, format="json")
    assert response.status_code == 404
    assert_matches_contract("acknowledgeTracking", response)


@pytest.mark.parametrize("where", ["body", "meta"])
def test_a_blank_correlation_id_is_treated_as_absent(owner, where):
    from integrations.models import ErpEvent

    integration, _ = integration_with_use_case(owner.organization)
    extra = {"correlation_id": ""} if where == "body" else {"meta": {"correlation_id": ""}}
    response = post_v3(owner, integration, [v3_event()], **extra)
    assert response.status_code == 200, response.json()
    assert ErpEvent.objects.get().correlation_id  # generated, as when absent


def test_an_access_log_status_filter_outside_http_codes_matches_nothing(owner):
    integration = owner.client.post("/v1/integrations", {"name": "x"}, format="json").json()
    response = owner.client.post(f"/v1/integrations/{integration['id']}/monitoring/access-logs",
                                 {"status": 7}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == []
