"""The secure proxy: whitelist get/update/history with its rules, and the forwarder (secure_link with every
resolved address inside the allowed CIDRs, static_ip through the egress proxy, 403/502/503/504)."""
from __future__ import annotations

import pytest

from integrations.models import UseCaseHistory
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, MembershipFactory, UseCaseFactory, UserFactory

from . import servers

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy_case(owner):
    integration = IntegrationFactory(organization=owner.organization, name="VPN ERP")
    return UseCaseFactory(organization=owner.organization, integration=integration, name="ERP link", slug="erp-link",
                          type="secure_proxy", configuration={"vpc_mode": "secure_link",
                                                              "allowed_domains": ["*.erp.test"],
                                                              "allowed_ips": ["127.0.0.0/8"]})


def whitelist_url(use_case):
    return f"/v2/integrations/{use_case.integration_id}/use-cases/{use_case.id}/secure-proxy-whitelist"


def call(client, use_case, url, **extra):
    return client.post("/v1/secure-proxy", {"integration_id": str(use_case.integration_id),
                                            "use_case_slug": use_case.slug, "url": url, "method": "GET", **extra},
                       format="json")


def test_whitelist_get_and_update_semantics(owner, proxy_case):
    assert owner.client.get(whitelist_url(proxy_case)).json() == {
        "vpc_mode": "secure_link", "allowed_domains": ["*.erp.test"], "allowed_ips": ["127.0.0.0/8"]}
    changed = owner.client.put(whitelist_url(proxy_case), {"allowed_domains": ["api.erp.test", "*.corp.example.com"]},
                               format="json")
    assert changed.status_code == 200
    assert changed.json()["allowed_domains"] == ["api.erp.test", "*.corp.example.com"]
    assert changed.json()["allowed_ips"] == ["127.0.0.0/8"]  # omitted = kept
    cleared = owner.client.put(whitelist_url(proxy_case), {"allowed_ips": []}, format="json").json()
    assert cleared["allowed_ips"] == [] and cleared["allowed_domains"] == ["api.erp.test", "*.corp.example.com"]
    for bad, field in (({}, "allowed_domains"), ({"allowed_ips": None}, "null"), ({"allowed_domains": ["*.com"]},
                       "two labels"), ({"allowed_ips": ["10.0.0.0/33"]}, "CIDR")):
        response = owner.client.put(whitelist_url(proxy_case), bad, format="json")
        assert response.status_code == 400 and field in response.json()["message"], (bad, response.json())
    history = owner.client.get(whitelist_url(proxy_case) + "/history").json()["history"]
    assert len(history) == 2
    assert history[0]["configuration"]["allowed_domains"] == ["api.erp.test", "*.corp.example.com"]
    assert history[1]["configuration"]["allowed_domains"] == ["*.erp.test"]
    proxy_case.refresh_from_db()
    assert proxy_case.change_description == "Whitelist updated: -127.0.0.0/8"


def test_history_limit_is_validated_and_clamped_to_20(owner, proxy_case):
    for index in range(22):
        owner.client.put(whitelist_url(proxy_case), {"allowed_domains": [f"h{index}.erp.test"]}, format="json")
    assert len(owner.client.get(whitelist_url(proxy_case) + "/history?limit=50").json()["history"]) == 20
    assert len(owner.client.get(whitelist_url(proxy_case) + "/history").json()["history"]) == 10
    assert owner.client.get(whitelist_url(proxy_case) + "/history?limit=51").status_code == 400
    assert owner.client.get(whitelist_url(proxy_case) + "/history?limit=0").status_code == 400


def test_whitelist_needs_an_admin_and_the_manage_scope(owner, proxy_case):
    editor = UserFactory()
    MembershipFactory(user=editor, organization=owner.organization, role="editor")
    by_editor = make_api_persona(owner.organization, "editor token", created_by=editor)
    response = by_editor.client.put(whitelist_url(proxy_case), {"allowed_ips": []}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    admin = UserFactory()
    MembershipFactory(user=admin, organization=owner.organization, role="admin")
    by_admin = make_api_persona(owner.organization, "admin token", created_by=admin)
    assert by_admin.client.put(whitelist_url(proxy_case), {"allowed_ips": []}, format="json").status_code == 200
    assert UseCaseHistory.objects.get(use_case=proxy_case).changed_by == str(admin.pk)
    viewer = make_api_persona(owner.organization, "read only", scopes=["integration:view"])
    assert viewer.client.get(whitelist_url(proxy_case)).status_code == 200
    assert viewer.client.put(whitelist_url(proxy_case), {"allowed_ips": []}, format="json").status_code == 403


def test_whitelist_of_other_types_or_organisations_is_404(owner, other_org, proxy_case):
    inbound = UseCaseFactory(organization=owner.organization, integration=proxy_case.integration)
    assert owner.client.get(whitelist_url(inbound)).status_code == 404
    assert other_org.client.get(whitelist_url(proxy_case)).status_code == 404


def test_secure_link_forwards_to_the_pinned_address(owner, proxy_case, erp, dns):
    port = erp.server_address[1]
    response = call(owner.client, proxy_case, f"http://api.erp.test:{port}/customers/C7",
                    headers={"X-API-Key": servers.API_KEY})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status_code"] == 200 and body["body"]["data"]["id"] == "C7"
    assert erp.requests[-1]["headers"]["host"] == f"api.erp.test:{port}"
    upstream_refusal = call(owner.client, proxy_case, f"http://api.erp.test:{port}/fail",
                            headers={"X-API-Key": servers.API_KEY}).json()
    assert upstream_refusal["status_code"] == 500 and upstream_refusal["body"] == {"error": "database down"}
    binary = call(owner.client, proxy_case, f"http://api.erp.test:{port}/bytes", response_type="binary",
                  headers={"X-API-Key": servers.API_KEY}).json()
    assert binary["body"] == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="


def test_secure_link_refusals(owner, proxy_case, erp, dns):
    port = erp.server_address[1]
    before = len(erp.requests)
    outside_domains = call(owner.client, proxy_case, f"http://other.test:{port}/x")
    assert outside_domains.status_code == 403 and "allowed domains" in outside_domains.json()["message"]
    partly_outside = call(owner.client, proxy_case, f"http://mixed.erp.test:{port}/x")
    assert partly_outside.status_code == 403 and "10.9.8.7" in partly_outside.json()["message"]
    assert call(owner.client, proxy_case, f"http://outside.erp.test:{port}/x").status_code == 403
    assert erp.requests[before:] == []


def test_connection_failure_is_502_and_timeout_504(owner, proxy_case, erp, dns, settings):
    closed = call(owner.client, proxy_case, "http://api.erp.test:9/x")
    assert closed.status_code == 502
    assert closed.json() == {"message": "Upstream network error", "code": "ECONNREFUSED",
                             "reason": "The target refused the connection"}
    settings.OUTBOUND_HTTP_READ_TIMEOUT = 0.3
    slow = call(owner.client, proxy_case, f"http://api.erp.test:{erp.server_address[1]}/slow",
                headers={"X-API-Key": servers.API_KEY})
    assert slow.status_code == 504


def test_static_ip_goes_through_the_egress_proxy_or_is_503(owner, proxy_case, erp, dns, settings):
    proxy_case.configuration = {"vpc_mode": "static_ip", "allowed_domains": ["api.erp.test"], "allowed_ips": []}
    proxy_case.save()
    settings.SECURE_PROXY_STATIC_IP_HTTP_PROXY = ""
    url = f"http://api.erp.test:{erp.server_address[1]}/static"
    assert call(owner.client, proxy_case, url).status_code == 503
    egress = servers.start(servers.ConnectProxy())
    try:
        settings.SECURE_PROXY_STATIC_IP_HTTP_PROXY = egress.url
        settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1/32"]
        response = call(owner.client, proxy_case, url, headers={"X-API-Key": servers.API_KEY})
        assert response.status_code == 200 and response.json()["body"]["path"] == "/static"
        assert egress.tunnels == [f"api.erp.test:{erp.server_address[1]}"]
    finally:
        servers.stop(egress)


def test_disabled_wrong_type_unknown_and_bad_request(owner, proxy_case, other_org):
    assert call(other_org.client, proxy_case, "http://api.erp.test/x").status_code == 404
    proxy_case.enabled = False
    proxy_case.save()
    assert call(owner.client, proxy_case, "http://api.erp.test/x").status_code == 403
    response = owner.client.post("/v1/secure-proxy", {"integration_id": str(proxy_case.integration_id)}, format="json")
    assert response.status_code == 400 and "url" in response.json()["message"]


def test_proxy_calls_are_audited_in_monitoring(owner, proxy_case, erp, dns):
    from monitoring.models import MonitoringEvent

    port = erp.server_address[1]
    call(owner.client, proxy_case, f"http://api.erp.test:{port}/fail", headers={"X-API-Key": servers.API_KEY})
    call(owner.client, proxy_case, f"http://other.test:{port}/x")
    call(owner.client, proxy_case, f"http://mixed.erp.test:{port}/x")
    rows = list(MonitoringEvent.objects.filter(use_case_type="secure_proxy").order_by("id"))
    assert [(r.code, r.level) for r in rows] == [("HTTP_500", "error"), ("SECURE_PROXY_DOMAIN_NOT_ALLOWED", "error"),
                                                  ("SECURE_PROXY_IP_NOT_ALLOWED", "error")]
    assert rows[0].details == {"method": "GET", "host": "api.erp.test", "status": 500}
    assert all(r.use_case_id == str(proxy_case.pk) for r in rows)
