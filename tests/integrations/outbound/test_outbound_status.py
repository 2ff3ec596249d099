"""getOutboundStatus (docs/outbound.md): statuses, conflicts, distinct webhooks."""
import pytest

from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db
URL = "https://erp.example.com/hook"


def status_of(persona, integration):
    response = persona.client.get(f"/v1/integrations/{integration.id}/outbound-status")
    assert response.status_code == 200, response.content
    assert_matches_contract("getOutboundStatus", response)
    return response.json()["useCases"]


@pytest.mark.parametrize("use_case_enabled, webhook_flags, status, conflicts", [
    (True, [True, True], "ok", []),
    (True, [True, False], "ok", []),
    (True, [False, False], "conflict", [("all_webhooks_disabled", None)]),
    (False, [False, False], "disabled", []),
    (False, [True, False], "disabled", [("webhook_enabled_while_disabled", 0)]),
    (False, [True, True], "disabled", [("webhook_enabled_while_disabled", 0), ("webhook_enabled_while_disabled", 1)]),
])
def test_conflict_matrix(owner, use_case_enabled, webhook_flags, status, conflicts):
    hooks = [make_webhook(owner.organization, URL, name=f"hook {i}", enabled=flag)[0]
             for i, flag in enumerate(webhook_flags)]
    use_case = outbound_use_case(owner.organization, [mapping(h.id) for h in hooks], enabled=use_case_enabled)
    [result] = status_of(owner, use_case.integration)
    assert result["useCaseId"] == str(use_case.id) and result["useCaseEnabled"] is use_case_enabled
    assert result["status"] == status and result["eventCatalogEvent"] == "contract.created"
    assert result["eventEnabled"] is None  # no per-event switch in the self-hosted catalog
    assert result["webhooks"] == [{"webhookId": str(h.id), "webhookName": h.name, "enabled": h.enabled}
                                  for h in hooks]
    assert [(c["type"], c.get("webhookId")) for c in result["conflicts"]] == [
        (kind, None if index is None else str(hooks[index].id)) for kind, index in conflicts
    ]
    assert all(c["message"] for c in result["conflicts"])


def test_webhooks_are_distinct_and_unknown_ones_are_null(owner):
    hook, _ = make_webhook(owner.organization, URL, enabled=False)
    use_case = outbound_use_case(owner.organization, [
        mapping(hook.id), mapping(hook.id, enabled=False),
        mapping("legacy-hook", delivery={"webhook_name": "Legacy"}),
    ])
    [result] = status_of(owner, use_case.integration)
    assert result["webhooks"] == [
        {"webhookId": str(hook.id), "webhookName": hook.name, "enabled": False},
        {"webhookId": "legacy-hook", "webhookName": "Legacy", "enabled": None},
    ]
    # a null flag never produces a conflict: not every webhook is known to be disabled
    assert result["status"] == "ok" and result["conflicts"] == []


def test_only_outbound_use_cases_of_the_integration_are_listed(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration)  # inbound
    hook, _ = make_webhook(owner.organization, URL)
    first = outbound_use_case(owner.organization, [mapping(hook.id)], integration=integration)
    second = outbound_use_case(owner.organization, [mapping(hook.id)], integration=integration, event="x.y")
    outbound_use_case(owner.organization, [mapping(hook.id)])  # another integration
    results = status_of(owner, integration)
    assert [r["useCaseId"] for r in results] == [str(first.id), str(second.id)]
    assert status_of(owner, IntegrationFactory(organization=owner.organization)) == []


def test_other_organisations_integration_is_not_found(owner, other_org):
    use_case = outbound_use_case(owner.organization, [mapping("x")])
    response = other_org.client.get(f"/v1/integrations/{use_case.integration_id}/outbound-status")
    assert response.status_code == 404
    assert_matches_contract("getOutboundStatus", response)
    assert owner.client.get("/v1/integrations/not-a-uuid/outbound-status").status_code == 404


def test_integration_id_is_matched_case_insensitively(owner):
    use_case = outbound_use_case(owner.organization, [mapping("x")])
    response = owner.client.get(f"/v1/integrations/{str(use_case.integration_id).upper()}/outbound-status")
    assert response.status_code == 200 and response.json()["useCases"][0]["useCaseId"] == str(use_case.id)
