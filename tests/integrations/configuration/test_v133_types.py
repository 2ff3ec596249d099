"""v1.33 configuration: managed_call, secure_proxy, connector_config, outbound delivery variants and
options, file-proxy direction, direct-mode entities. Every bad value names its exact path."""
from __future__ import annotations

import copy

import pytest

from integrations.configuration import validate_configuration
from integrations.configuration.connector import validate_connector_config

from .examples import FILE_PROXY, OUTBOUND
from .helpers import assert_single_issue, issues_of

MANAGED_CALL = {
    "operation": {"method": "POST", "path": "/customers/{{customer_id}}/orders",
                  "headers": {"X-Tenant": "{{env.tenant}}"}, "query_params": {"lang": "de"}},
    "request_mapping": "{ 'id': customer_id }",
    "response_mapping": "data.items",
    "inbound_use_case_slug": "order-sync",
}
SECURE_PROXY = {"vpc_mode": "secure_link", "allowed_domains": ["api.example.com", "*.erp.example.org"],
                "allowed_ips": ["10.0.1.0/24", "192.168.1.7"]}


def test_managed_call_round_trips():
    assert validate_configuration("managed_call", copy.deepcopy(MANAGED_CALL)) == MANAGED_CALL


@pytest.mark.parametrize(("mutate", "path", "contains"), [
    (lambda c: c.pop("operation"), "configuration.operation", "is required"),
    (lambda c: c["operation"].update(method="HEAD"), "configuration.operation.method", "must be one of GET"),
    (lambda c: c["operation"].pop("path"), "configuration.operation.path", "is required"),
    (lambda c: c["operation"].update(path="/x/{{id"), "configuration.operation.path", "Handlebars"),
    (lambda c: c["operation"].update(headers={"X": 1}), "configuration.operation.headers.X", "must be a string"),
    (lambda c: c.update(request_mapping="{ 'a': "), "configuration.request_mapping", "invalid JSONata"),
    (lambda c: c.update(inbound_use_case_slug="Not A Slug"), "configuration.inbound_use_case_slug", "pattern"),
])
def test_invalid_managed_call(mutate, path, contains):
    config = copy.deepcopy(MANAGED_CALL)
    mutate(config)
    assert_single_issue(validate_configuration, "managed_call", config, path=path, contains=contains)


def test_secure_proxy_create_validates_mode_domains_and_ips():
    assert validate_configuration("secure_proxy", copy.deepcopy(SECURE_PROXY)) == SECURE_PROXY
    issues = issues_of(validate_configuration, "secure_proxy",
                       {"allowed_domains": ["*.com", "exa mple.com"], "allowed_ips": ["10.0.0.0/33"]})
    assert set(issues) == {"configuration.vpc_mode", "configuration.allowed_domains[0]",
                           "configuration.allowed_domains[1]", "configuration.allowed_ips[0]"}
    assert "at least two labels" in issues["configuration.allowed_domains[0]"]


def test_secure_proxy_update_keeps_read_only_fields_silently():
    updated = validate_configuration("secure_proxy", {"vpc_mode": "static_ip", "allowed_ips": ["1.1.1.1"]},
                                     previous=copy.deepcopy(SECURE_PROXY))
    assert updated == SECURE_PROXY
    assert validate_configuration("secure_proxy", {"vpc_mode": "static_ip"}) == {
        "vpc_mode": "static_ip", "allowed_domains": [], "allowed_ips": []}


def test_connector_config_secrets_must_be_env_references():
    good = {"base_url": "https://api.partner.example/v2",
            "auth": {"type": "oauth2_client_credentials", "token_url": "https://login.example/token",
                     "client_id": "hub", "client_secret": "{{env.partner_secret}}"}}
    assert validate_connector_config(copy.deepcopy(good)) == good
    bad = copy.deepcopy(good)
    bad["auth"]["client_secret"] = "s3cr3t"
    issues = issues_of(validate_connector_config, bad)
    assert list(issues) == ["connector_config.auth.client_secret"]
    assert "not a literal secret" in issues["connector_config.auth.client_secret"]
    issues = issues_of(validate_connector_config, {"auth": {"type": "bearer"}, "base_url": "ftp://x"})
    assert set(issues) == {"connector_config.auth.token", "connector_config.base_url"}


def test_connector_config_keeps_stored_type_bookkeeping():
    previous = {"latest_types_version": "1.2.0", "types_versions": []}
    result = validate_connector_config({"base_url": "https://a.example", "latest_types_version": "9.9.9"}, previous)
    assert result == {"base_url": "https://a.example", "latest_types_version": "1.2.0", "types_versions": []}


def test_outbound_event_filter_and_ack_tracking():
    config = {**copy.deepcopy(OUTBOUND), "event_filter": "contract.status = 'active'", "ack_tracking": "off"}
    result = validate_configuration("outbound", config)
    assert result["event_filter"] == "contract.status = 'active'" and result["ack_tracking"] == "off"
    assert_single_issue(validate_configuration, "outbound", {**copy.deepcopy(OUTBOUND), "event_filter": "a = "},
                        path="configuration.event_filter", contains="invalid JSONata")
    assert_single_issue(validate_configuration, "outbound", {**copy.deepcopy(OUTBOUND), "ack_tracking": "maybe"},
                        path="configuration.ack_tracking", contains="must be one of on, off")


def test_file_proxy_delivery_rejects_expression_and_webhook_keys_and_ids_are_generated():
    config = {"event_catalog_event": "document.created", "mappings": [
        {"name": "Upload", "enabled": True, "delivery": {"type": "file_proxy", "use_case_slug": "d3-upload"}},
    ]}
    mapping = validate_configuration("outbound", copy.deepcopy(config))["mappings"][0]
    assert mapping["id"] and "jsonata_expression" not in mapping
    config["mappings"][0]["jsonata_expression"] = "$"
    config["mappings"][0]["delivery"]["webhook_id"] = "w1"
    issues = issues_of(validate_configuration, "outbound", config)
    assert set(issues) == {"configuration.mappings[0].jsonata_expression",
                           "configuration.mappings[0].delivery.webhook_id"}


def test_webhook_delivery_still_requires_its_expression():
    config = copy.deepcopy(OUTBOUND)
    del config["mappings"][0]["jsonata_expression"]
    assert_single_issue(validate_configuration, "outbound", config,
                        path="configuration.mappings[0].jsonata_expression", contains="required for delivery type 'webhook'")


def test_file_proxy_upload_direction_rules():
    upload = {"direction": "upload", "upload": {"max_file_bytes": 1024, "max_delivery_attempts": 8},
              "fan_out": {"enabled": True}, "secure_proxy": {"use_case_slug": "vpn"},
              "steps": [{"url": "https://dms.example/upload", "method": "PUT", "response_type": "json",
                         "body_jsonata": "{ 'file': $file_data[0].base64 }", "enabled": "$count($file_data) > 0"}]}
    assert validate_configuration("file_proxy", copy.deepcopy(upload)) == upload
    bad = copy.deepcopy(upload)
    bad["response"] = FILE_PROXY["response"]
    bad["steps"][0]["body"] = "{}"
    bad["upload"]["max_file_bytes"] = 200 * 1024 * 1024
    assert set(issues_of(validate_configuration, "file_proxy", bad)) == {
        "configuration.response", "configuration.steps[0].body", "configuration.upload.max_file_bytes"}
    download = {**copy.deepcopy(FILE_PROXY), "direction": "download"}
    download["steps"][0]["body_jsonata"] = "$"
    assert_single_issue(validate_configuration, "file_proxy", download,
                        path="configuration.steps[0].body_jsonata", contains="only allowed for direction 'upload'")


def test_entity_fields_are_optional_only_in_direct_mode():
    entity = {"entity_schema": "contact", "unique_ids": ["customer_number"]}
    assert validate_configuration("inbound", {"direct": True, "entities": [dict(entity)]})
    assert_single_issue(validate_configuration, "inbound", {"entities": [dict(entity)]},
                        path="configuration.entities[0].fields", contains="is required")
    assert_single_issue(validate_configuration, "inbound", {"direct": "yes", "entities": []},
                        path="configuration.direct", contains="must be a boolean")
