"""The official v1.33 client drives the nine connector operations against a live server, a local ERP with
an OAuth2 token endpoint (the SSRF guard relaxed for 127.0.0.1 through OUTBOUND_HTTP_ALLOWLIST) and fake DNS
names for the secure proxy; every answer is validated against the contract. One integration without the
allow-list relaxation proves the SSRF refusal."""
import pytest

from integrations.models import ErpEvent
from tests.connector_fixtures import make_connector
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.connectors import servers

from .harness import assert_sdk_calls_match_contract, calls_of, run_sdk_script


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_the_connector_operations(live_server, owner, erp_allowed, dns, settings):
    integration = make_connector(owner.organization, erp_allowed.base_url)
    UseCaseFactory(organization=owner.organization, integration=integration, name="ERP link", slug="erp-link",
                   type="secure_proxy", configuration={"vpc_mode": "secure_link", "allowed_domains": ["*.erp.test"],
                                                       "allowed_ips": ["127.0.0.0/8"]})
    proxy = integration.use_cases.get(slug="erp-link")
    # the same managed call against a host the guard refuses (10.9.8.7 is private and not allow-listed)
    blocked = make_connector(owner.organization, f"http://outside.erp.test:{erp_allowed.server_address[1]}",
                             auth={"type": "api_key", "api_key": "{{env.erp_key}}"})
    calls = run_sdk_script("run_connectors.mjs", live_server, owner.token, str(integration.id), str(proxy.id),
                           str(erp_allowed.server_address[1]), str(blocked.id))
    assert_sdk_calls_match_contract(calls)
    operations = {c.operationId for c in calls}
    assert operations == {"managedCallExecute", "listSecureProxies", "getSecureProxyWhitelist",
                          "updateSecureProxyWhitelist", "listSecureProxyWhitelistHistory", "secureProxy",
                          "generateTypesPreview", "generateTypes", "commitTypes"}
    assert calls_of(calls, "managedCallExecute", "ssrf")[0].body["error"]["code"] == "SSRF_BLOCKED"
    upstream = calls_of(calls, "managedCallExecute", "upstream error")[0].body["error"]
    assert upstream["code"] == "EXTERNAL_API_ERROR" and upstream["details"]["status"] == 500
    assert calls_of(calls, "secureProxy", "upstream 500 passed through")[0].body["status_code"] == 500
    assert ErpEvent.objects.filter(correlation_id="sdk-corr").count() == 1
    text = str([c.body for c in calls])
    assert servers.CLIENT_SECRET not in text and servers.API_KEY not in text.replace("'X-API-Key'", "")
    assert IntegrationFactory._meta.model.objects.filter(pk=integration.pk).exists()
