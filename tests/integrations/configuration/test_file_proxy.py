"""File-proxy configuration: auth, params, steps (Handlebars), response (JSONata), direction, no requires_vpc."""
from __future__ import annotations

import copy

import pytest

from integrations.configuration import validate_configuration
from tests.integrations.configuration.examples import FILE_PROXY
from tests.integrations.configuration.helpers import assert_single_issue, delete_at, issues_of, set_at


def test_valid_configuration_is_returned_unchanged():
    assert validate_configuration("file_proxy", copy.deepcopy(FILE_PROXY)) == FILE_PROXY


def test_password_grant_without_credentials_names_both():
    config = copy.deepcopy(FILE_PROXY)
    config["auth"]["type"] = "oauth2_password"
    issues = issues_of(validate_configuration, "file_proxy", config)
    assert issues == {"configuration.auth.username": "is required for type 'oauth2_password'",
                      "configuration.auth.password": "is required for type 'oauth2_password'"}


def test_password_grant():
    config = copy.deepcopy(FILE_PROXY)
    config["auth"].update(type="oauth2_password", username="\\{{env.archive_user}}", password="\\{{env.archive_pw}}")
    assert validate_configuration("file_proxy", config)["auth"] == config["auth"]


def test_requires_vpc_is_dropped_from_input_and_from_stored_configurations():
    """C2: v1.33 removed the read-only display flag; it is ignored on input and no longer returned."""
    config = {**copy.deepcopy(FILE_PROXY), "requires_vpc": True}
    previous = {**copy.deepcopy(FILE_PROXY), "requires_vpc": True}
    assert "requires_vpc" not in validate_configuration("file_proxy", config)
    assert "requires_vpc" not in validate_configuration("file_proxy", config, previous=previous)


def test_none_configuration_is_allowed():
    assert validate_configuration("file_proxy", None) is None


def test_minimal_configuration():
    config = {"steps": [{"url": "https://files.example.com/{{params.id}}", "method": "GET", "response_type": "binary"}],
              "response": {"body": "steps[0].body", "encoding": "binary"}}
    assert validate_configuration("file_proxy", copy.deepcopy(config)) == config






S0, S1 = ("steps", 0), ("steps", 1)

INVALID = [
    ("not-an-object", lambda c: [], "configuration", "must be an object"),
    ("auth-type", set_at(("auth", "type"), "basic"), "configuration.auth.type",
     "must be one of oauth2_client_credentials, oauth2_password (got 'basic')"),
    ("auth-type-missing", delete_at(("auth", "type")), "configuration.auth.type", "is required"),
    ("auth-token-url-missing", delete_at(("auth", "token_url")), "configuration.auth.token_url", "is required"),
    ("auth-client-secret-missing", delete_at(("auth", "client_secret")), "configuration.auth.client_secret",
     "is required"),
    ("auth-password-grant-without-username",
     lambda c: set_at(("auth", "password"), "{{env.pw}}")(set_at(("auth", "type"), "oauth2_password")(c)),
     "configuration.auth.username",
     "is required for type 'oauth2_password'"),
    ("auth-token-url-unbalanced", set_at(("auth", "token_url"), "https://login.example.com/{{params.tenant/token"),
     "configuration.auth.token_url", "invalid Handlebars template: '{{' at offset 26 is never closed"),
    ("auth-client-id-unclosed", set_at(("auth", "client_id"), "\\{{env.client_id}"), "configuration.auth.client_id",
     "'{{' at offset 1 is never closed"),
    ("auth-body-param-template", set_at(("auth", "body_params", "resource"), "{{#if x}}a"),
     "configuration.auth.body_params.resource", "block '{{#if}}' opened at offset 0 is never closed"),
    ("auth-headers-not-strings", set_at(("auth", "headers"), {"X-Tenant": 5}), "configuration.auth.headers.X-Tenant",
     "must be a string"),
    ("auth-query-params-not-object", set_at(("auth", "query_params"), ["a"]), "configuration.auth.query_params",
     "must be an object"),
    ("params-not-array", set_at(("params",), {"documentId": True}), "configuration.params", "must be an array"),
    ("param-name-missing", delete_at(("params", 0, "name")), "configuration.params[0].name", "is required"),
    ("param-required-missing", delete_at(("params", 1, "required")), "configuration.params[1].required",
     "is required"),
    ("param-required-string", set_at(("params", 1, "required"), "no"), "configuration.params[1].required",
     "must be a boolean"),
    ("param-duplicate", set_at(("params", 1, "name"), "documentId"), "configuration.params[1].name",
     "already declared by params[0]"),
    ("param-reserved", set_at(("params", 1, "name"), "useCaseSlug"), "configuration.params[1].name",
     "always part of the download URL"),
    ("steps-missing", delete_at(("steps",)), "configuration.steps", "is required"),
    ("steps-empty", set_at(("steps",), []), "configuration.steps", "at least 1 item"),
    ("step-url-missing", delete_at((*S0, "url")), "configuration.steps[0].url", "is required"),
    ("step-method", set_at((*S0, "method"), "HEAD"), "configuration.steps[0].method", "must be one of GET, POST, PUT, PATCH"),
    ("step-method-lowercase", set_at((*S0, "method"), "get"), "configuration.steps[0].method", "(got 'get')"),
    ("step-response-type", set_at((*S0, "response_type"), "xml"), "configuration.steps[0].response_type",
     "must be one of json, binary"),
    ("step-response-type-missing", delete_at((*S0, "response_type")), "configuration.steps[0].response_type",
     "is required"),
    ("step-url-unbalanced", set_at((*S1, "url"), "https://a.example.com/{{steps.0.body.fileId}/content"),
     "configuration.steps[1].url", "is never closed"),
    ("step-url-reads-itself", set_at((*S1, "url"), "https://a.example.com/{{steps.1.body.id}}"),
     "configuration.steps[1].url", "refers to steps.1 at offset 22, but only steps.0..steps.0 have run"),
    ("first-step-reads-steps", set_at((*S0, "url"), "https://a.example.com/{{steps.0.body.id}}"),
     "configuration.steps[0].url", "no step has run yet"),
    ("step-header-template", set_at((*S1, "headers", "Authorization"), "Bearer {{ }}"),
     "configuration.steps[1].headers.Authorization", "empty expression"),
    ("step-body-mismatched-block", set_at((*S1, "body"), "{{#if a}}x{{/each}}"), "configuration.steps[1].body",
     "'{{/each}}' at offset 10 does not match '{{#if}}' opened at offset 0"),
    ("step-body-not-string", set_at((*S1, "body"), {"format": "pdf"}), "configuration.steps[1].body",
     "must be a string, not an object"),
    ("response-missing", delete_at(("response",)), "configuration.response", "is required"),
    ("response-body-missing", delete_at(("response", "body")), "configuration.response.body", "is required"),
    ("response-body-jsonata", set_at(("response", "body"), "steps[1].body["), "configuration.response.body",
     "invalid JSONata expression"),
    ("response-encoding", set_at(("response", "encoding"), "utf-8"), "configuration.response.encoding",
     "must be one of base64, binary"),
    ("response-filename-jsonata", set_at(("response", "filename"), "steps[0].body.name &"),
     "configuration.response.filename", "invalid JSONata expression (S0207"),
    ("response-content-type-jsonata", set_at(("response", "content_type"), "'application/pdf"),
     "configuration.response.content_type", "invalid JSONata expression"),
]


@pytest.mark.parametrize(("mutate", "path", "contains"), [pytest.param(*case[1:], id=case[0]) for case in INVALID])
def test_invalid_file_proxy_configuration(mutate, path, contains):
    config = mutate(copy.deepcopy(FILE_PROXY))
    assert_single_issue(validate_configuration, "file_proxy", config, path=path, contains=contains)
