"""The one HTTP client's secure-proxy extensions: every resolved address inside the allowed CIDRs (the
private-range guard relaxed only for those), the address pinned, and the CONNECT egress proxy."""
from __future__ import annotations

import pytest

from erpintegration.lib import http

from . import servers


@pytest.fixture(scope="module")
def erp():
    server = servers.start(servers.FakeErp())
    yield server
    servers.stop(server)


@pytest.fixture
def dns(monkeypatch):
    table = {"api.erp.test": ["127.0.0.1"], "mixed.erp.test": ["127.0.0.1", "10.9.8.7"],
             "outside.erp.test": ["10.9.8.7"]}
    monkeypatch.setattr(http, "resolve_host", servers.fake_resolver(table, http.resolve_host))
    return table


def _port(erp):
    return erp.server_address[1]


def test_every_resolved_address_inside_the_cidrs_connects_to_the_pinned_address(erp, dns):
    policy = http.Policy(required_networks=("127.0.0.0/8",), connect_timeout=2, read_timeout=2)
    response = http.request("GET", f"http://api.erp.test:{_port(erp)}/ping",
                            headers={"X-API-Key": servers.API_KEY}, policy=policy)
    assert response.status_code == 200 and response.json()["path"] == "/ping"
    assert erp.requests[-1]["headers"]["host"] == f"api.erp.test:{_port(erp)}"


def test_a_name_resolving_partly_outside_the_cidrs_is_refused_before_connecting(erp, dns):
    before = len(erp.requests)
    policy = http.Policy(required_networks=("127.0.0.0/8",))
    with pytest.raises(http.AddressNotAllowed, match="10.9.8.7"):
        http.request("GET", f"http://mixed.erp.test:{_port(erp)}/ping", policy=policy)
    with pytest.raises(http.AddressNotAllowed):
        http.request("GET", f"http://outside.erp.test:{_port(erp)}/ping", policy=policy)
    assert len(erp.requests) == before


def test_required_networks_do_not_consult_the_general_allowlist(erp, dns):
    policy = http.Policy(allowlist=("127.0.0.0/8",), required_networks=("192.0.2.0/24",))
    with pytest.raises(http.DestinationBlocked):
        http.request("GET", f"http://api.erp.test:{_port(erp)}/ping", policy=policy)


def test_egress_proxy_tunnels_the_request(erp, dns):
    proxy = servers.start(servers.ConnectProxy())
    try:
        policy = http.Policy(allowlist=("127.0.0.0/8",), egress_proxy=proxy.url, connect_timeout=2, read_timeout=2)
        response = http.request("GET", f"http://api.erp.test:{_port(erp)}/via-proxy",
                                headers={"X-API-Key": servers.API_KEY}, policy=policy)
        assert response.json()["path"] == "/via-proxy"
        assert proxy.tunnels == [f"api.erp.test:{_port(erp)}"]
    finally:
        servers.stop(proxy)


def test_egress_proxy_still_applies_the_destination_guard(erp):
    proxy = servers.start(servers.ConnectProxy())
    try:
        with pytest.raises(http.DestinationBlocked):
            http.request("GET", f"http://127.0.0.1:{_port(erp)}/x", policy=http.Policy(egress_proxy=proxy.url))
        assert proxy.tunnels == []
    finally:
        servers.stop(proxy)
