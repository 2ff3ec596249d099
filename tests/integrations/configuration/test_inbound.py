"""Inbound configuration: the contract's examples pass unchanged; each broken rule names its exact path."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from integrations.configuration import ConfigurationInvalid, validate_configuration
from tests.integrations.configuration.examples import CONTACT_DELETE, CONTACT_SYNC, CONTRACT_WITH_METERS
from tests.integrations.configuration.helpers import assert_single_issue, delete_at, issues_of, set_at

SPEC = Path("/work/shared/spec/erp-integration.openapi.json")


def _spec_examples():
    if not SPEC.exists():
        return []
    spec = json.loads(SPEC.read_text())
    examples = spec["paths"]["/v2/erp/updates/mapping_simulation"]["post"]["requestBody"]["content"][
        "application/json"]["examples"]
    return [pytest.param(ex["value"]["event_configuration"], id=name) for name, ex in examples.items()]


@pytest.mark.parametrize("config", [CONTACT_SYNC, CONTRACT_WITH_METERS, CONTACT_DELETE, {}, {"entities": []}])
def test_valid_configurations_come_back_unchanged(config):
    result = validate_configuration("inbound", copy.deepcopy(config))
    assert result == config


@pytest.mark.parametrize("config", _spec_examples())
def test_contract_examples_are_valid(config):
    assert validate_configuration("inbound", config) == config


def test_result_is_a_copy():
    config = copy.deepcopy(CONTACT_SYNC)
    result = validate_configuration("inbound", config)
    result["entities"][0]["fields"].clear()
    assert config == CONTACT_SYNC


def test_none_configuration_is_allowed():
    assert validate_configuration("inbound", None) is None


def test_defaults_are_not_injected():
    result = validate_configuration("inbound", copy.deepcopy(CONTACT_SYNC))
    assert "mode" not in result["entities"][0]
    assert "enabled" not in result["entities"][0]


def test_unknown_keys_are_kept_everywhere():
    config = copy.deepcopy(CONTACT_SYNC)
    config["x_note"] = "kept"
    config["entities"][0]["pricing"] = {"anything": True}
    config["entities"][0]["fields"][0]["x_ui"] = {"collapsed": True}
    config["entities"][0]["fields"][4]["relations"]["items"][0]["x_extra"] = 1
    assert validate_configuration("inbound", copy.deepcopy(config)) == config


def test_unknown_use_case_type():
    assert_single_issue(validate_configuration, "sideways", {}, path="type", contains="inbound, outbound")






E0, E1, E2 = ("entities", 0), ("entities", 1), ("entities", 2)
MR = ("meter_readings", 0)

INVALID = [
    ("not-an-object", lambda c: ["entities"], "configuration", "must be an object"),
    ("entities-not-array", set_at(("entities",), {}), "configuration.entities", "must be an array"),
    ("entity-not-object", set_at(E0, "contact"), "configuration.entities[0]", "must be an object"),
    ("entity-schema-missing", delete_at((*E0, "entity_schema")), "configuration.entities[0].entity_schema",
     "is required"),
    ("entity-schema-empty", set_at((*E0, "entity_schema"), " "), "configuration.entities[0].entity_schema",
     "must not be empty"),
    ("entity-schema-number", set_at((*E0, "entity_schema"), 3), "configuration.entities[0].entity_schema",
     "must be a string, not a number"),
    ("unique-ids-missing", delete_at((*E0, "unique_ids")), "configuration.entities[0].unique_ids", "is required"),
    ("unique-ids-empty", set_at((*E0, "unique_ids"), []), "configuration.entities[0].unique_ids",
     "at least 1 item"),
    ("unique-id-not-string", set_at((*E0, "unique_ids"), [7]), "configuration.entities[0].unique_ids[0]",
     "must be a string"),
    ("unique-id-unmapped", set_at((*E0, "unique_ids"), ["contract_number", "external_id"]),
     "configuration.entities[0].unique_ids[1]", "'external_id' is not mapped by any field"),
    ("unique-id-twice", set_at((*E0, "unique_ids"), ["contract_number", "contract_number"]),
     "configuration.entities[0].unique_ids[1]", "listed twice"),
    ("fields-missing", delete_at((*E0, "fields")), "configuration.entities[0].fields", "is required"),
    ("fields-object", set_at((*E0, "fields"), {}), "configuration.entities[0].fields", "must be an array"),
    ("entity-jsonata", set_at((*E1, "jsonataExpression"), "meters[type='electricity'"),
     "configuration.entities[1].jsonataExpression", "S0203"),
    ("entity-enabled-jsonata", set_at((*E1, "enabled"), "$count($) >"),
     "configuration.entities[1].enabled", "invalid JSONata expression (S0207"),
    ("entity-enabled-number", set_at((*E1, "enabled"), 1),
     "configuration.entities[1].enabled", "must be a boolean or a JSONata expression string"),
    ("mode-unknown", set_at((*E0, "mode"), "merge"), "configuration.entities[0].mode",
     "must be one of upsert, delete, purge, upsert-prune-scope-purge, upsert-prune-scope-delete (got 'merge')"),
    ("meter-mode-on-entity", set_at((*E0, "mode"), "upsert-prune-scope"), "configuration.entities[0].mode",
     "got 'upsert-prune-scope'"),
    ("prune-without-scope", delete_at((*E1, "scope")), "configuration.entities[1].scope",
     "is required when mode is 'upsert-prune-scope-delete'"),
    ("scope-mode-missing", delete_at((*E1, "scope", "scope_mode")), "configuration.entities[1].scope.scope_mode",
     "is required"),
    ("scope-mode-unknown", set_at((*E1, "scope", "scope_mode"), "reverse-relations"),
     "configuration.entities[1].scope.scope_mode", "must be one of relations, query"),
    ("relations-scope-without-schema", delete_at((*E1, "scope", "schema")), "configuration.entities[1].scope.schema",
     "is required when scope_mode is 'relations'"),
    ("relations-scope-without-ids", delete_at((*E1, "scope", "unique_ids")),
     "configuration.entities[1].scope.unique_ids", "is required when scope_mode is 'relations'"),
    ("relations-scope-empty-ids", set_at((*E1, "scope", "unique_ids"), []),
     "configuration.entities[1].scope.unique_ids", "at least 1 item"),
    ("query-scope-without-query", delete_at((*E2, "scope", "query")), "configuration.entities[2].scope.query",
     "is required when scope_mode is 'query'"),
    ("query-scope-bad-expression", set_at((*E2, "scope", "query", 0, "jsonataExpression"), "$$.number["),
     "configuration.entities[2].scope.query[0].jsonataExpression", "invalid JSONata expression"),
    ("scope-id-without-value", set_at((*E1, "scope", "unique_ids", 0), {"attribute": "contract_number"}),
     "configuration.entities[1].scope.unique_ids[0]", "needs a value: set field, jsonataExpression or constant"),
    ("field-without-attribute", delete_at((*E0, "fields", 1, "attribute")),
     "configuration.entities[0].fields[1].attribute", "is required"),
    ("field-without-source", set_at((*E0, "fields", 1), {"attribute": "display_name"}),
     "configuration.entities[0].fields[1]", "needs a value source"),
    ("field-jsonata", set_at((*E0, "fields", 1, "jsonataExpression"), "'Contract ' &"),
     "configuration.entities[0].fields[1].jsonataExpression", "S0207"),
    ("field-dollar-path", set_at((*E0, "fields", 2, "field"), "$.address.[street"),
     "configuration.entities[0].fields[2].field", "invalid JSONata expression"),
    ("field-type", set_at((*E0, "fields", 0, "_type"), "fax"), "configuration.entities[0].fields[0]._type",
     "must be one of email, phone (got 'fax')"),
    ("field-enabled-jsonata", set_at((*E0, "fields", 0, "enabled"), "number = "),
     "configuration.entities[0].fields[0].enabled", "invalid JSONata expression"),
    ("relations-with-field", set_at((*E0, "fields", 5, "field"), "documents"),
     "configuration.entities[0].fields[5].field", "cannot be combined with relations"),
    ("relations-and-refs", set_at((*E0, "fields", 5, "relation_refs"), {"operation": "_set", "items": []}),
     "configuration.entities[0].fields[5].relation_refs", "cannot be combined with relations"),
    ("relations-operation", set_at((*E0, "fields", 5, "relations", "operation"), "_merge"),
     "configuration.entities[0].fields[5].relations.operation", "must be one of _set, _append, _append_all"),
    ("relations-operation-missing", delete_at((*E0, "fields", 5, "relations", "operation")),
     "configuration.entities[0].fields[5].relations.operation", "is required"),
    ("relations-jsonata", set_at((*E0, "fields", 5, "relations", "jsonataExpression"), "documents.{"),
     "configuration.entities[0].fields[5].relations.jsonataExpression", "invalid JSONata expression"),
    ("relations-neither", delete_at((*E0, "fields", 5, "relations", "jsonataExpression")),
     "configuration.entities[0].fields[5].relations", "needs items or a jsonataExpression"),
    ("relations-both", set_at((*E0, "fields", 5, "relations", "items"),
                            [{"entity_schema": "file", "unique_ids": [{"attribute": "a", "field": "b"}]}]),
     "configuration.entities[0].fields[5].relations.jsonataExpression", "alternatives"),
    ("ref-item-no-path", delete_at((*E0, "fields", 4, "relation_refs", "items", 0, "path")),
     "configuration.entities[0].fields[4].relation_refs.items[0].path", "is required"),
    ("ref-value-no-attribute", delete_at((*E0, "fields", 4, "relation_refs", "items", 0, "value", "attribute")),
     "configuration.entities[0].fields[4].relation_refs.items[0].value.attribute", "is required"),
    ("ref-value-operation", set_at((*E0, "fields", 4, "relation_refs", "items", 0, "value", "operation"), "_add"),
     "configuration.entities[0].fields[4].relation_refs.items[0].value.operation", "must be one of"),
    ("ref-value-jsonata", set_at((*E0, "fields", 4, "relation_refs", "items", 0, "value", "jsonataExpression"),
                               "{\"street\": address.street"),
     "configuration.entities[0].fields[4].relation_refs.items[0].value.jsonataExpression",
     "invalid JSONata expression"),
    ("ref-value-no-source", set_at((*E0, "fields", 4, "relation_refs", "items", 0, "value"), {"attribute": "a"}),
     "configuration.entities[0].fields[4].relation_refs.items[0].value", "needs a value"),
    ("ref-unique-id-type", set_at((*E0, "fields", 4, "relation_refs", "items", 0, "unique_ids", 0, "_type"), "x"),
     "configuration.entities[0].fields[4].relation_refs.items[0].unique_ids[0]._type", "email, phone"),
    ("file-proxy-url-both", set_at((*E2, "fields", 1, "file_proxy_url", "use_case_id"),
                                 "0b6b2a6e-52a4-4c7e-8f0a-6b3a0d5d2f11"),
     "configuration.entities[2].fields[1].file_proxy_url", "exactly one of use_case_slug or use_case_id"),
    ("file-proxy-url-neither", delete_at((*E2, "fields", 1, "file_proxy_url", "use_case_slug")),
     "configuration.entities[2].fields[1].file_proxy_url", "needs use_case_slug"),
    ("file-proxy-url-slug-pattern", set_at((*E2, "fields", 1, "file_proxy_url", "use_case_slug"), "Invoice PDF"),
     "configuration.entities[2].fields[1].file_proxy_url.use_case_slug", "does not match the pattern"),
    ("file-proxy-url-slug-length", set_at((*E2, "fields", 1, "file_proxy_url", "use_case_slug"), "a" * 256),
     "configuration.entities[2].fields[1].file_proxy_url.use_case_slug", "at most 255 characters"),
    ("file-proxy-url-param-two-sources", set_at((*E2, "fields", 1, "file_proxy_url", "params", "kind", "field"), "k"),
     "configuration.entities[2].fields[1].file_proxy_url.params.kind", "exactly one of field, constant"),
    ("file-proxy-url-param-jsonata",
     set_at((*E2, "fields", 1, "file_proxy_url", "params", "year", "jsonataExpression"), "$substring(date, 0"),
     "configuration.entities[2].fields[1].file_proxy_url.params.year.jsonataExpression",
     "invalid JSONata expression"),
    ("file-proxy-url-reserved-param", set_at((*E2, "fields", 1, "file_proxy_url", "params", "orgId"),
                                           {"constant": "x"}),
     "configuration.entities[2].fields[1].file_proxy_url.params.orgId", "set from the integration context"),
    ("meter-reading-jsonata", set_at((*MR, "jsonataExpression"), "$.readings["),
     "configuration.meter_readings[0].jsonataExpression", "invalid JSONata expression"),
    ("meter-missing", delete_at((*MR, "meter")), "configuration.meter_readings[0].meter", "is required"),
    ("meter-unique-ids-empty", set_at((*MR, "meter", "unique_ids"), []),
     "configuration.meter_readings[0].meter.unique_ids", "at least 1 item"),
    ("meter-unique-ids-missing", set_at((*MR, "meter"), {}),
     "configuration.meter_readings[0].meter.unique_ids", "is required"),
    ("meter-counter-empty", set_at((*MR, "meter_counter", "unique_ids"), []),
     "configuration.meter_readings[0].meter_counter.unique_ids", "at least 1 item"),
    ("meter-mode-entity-mode", set_at((*MR, "mode"), "purge"), "configuration.meter_readings[0].mode",
     "must be one of upsert, delete, upsert-prune-scope (got 'purge')"),
    ("reading-matching", set_at((*MR, "reading_matching"), "date"), "configuration.meter_readings[0].reading_matching",
     "must be one of external_id, strict-date"),
    ("meter-scope-source", set_at((*MR, "scope", "source"), "SAP"), "configuration.meter_readings[0].scope.source",
     "must be one of ECP, ERP, 360, journey-submission"),
    ("meter-fields-missing-attribute", delete_at((*MR, "fields", 1)), "configuration.meter_readings[0].fields",
     "must map the attribute timestamp"),
    ("meter-source-constant", set_at((*MR, "fields", 2, "constant"), "SAP"),
     "configuration.meter_readings[0].fields[2].constant", "ECP, ERP, 360, journey-submission"),
    ("meter-reason-constant", set_at((*MR, "fields", 4, "constant"), "holiday"),
     "configuration.meter_readings[0].fields[4].constant", "regular, irregular"),
]


@pytest.mark.parametrize(("mutate", "path", "contains"), [pytest.param(*case[1:], id=case[0]) for case in INVALID])
def test_invalid_inbound_configuration(mutate, path, contains):
    config = mutate(copy.deepcopy(CONTRACT_WITH_METERS))
    assert_single_issue(validate_configuration, "inbound", config, path=path, contains=contains)


def test_delete_meter_reading_needs_only_its_match_key():
    config = copy.deepcopy(CONTACT_DELETE)
    config["meter_readings"][0]["reading_matching"] = "strict-date"
    assert_single_issue(validate_configuration, "inbound", config, path="configuration.meter_readings[0].fields",
                        contains="deleting with reading_matching 'strict-date' needs timestamp")


def test_all_issues_are_collected_in_order():
    config = {"entities": [{"entity_schema": "", "unique_ids": ["a", "b"], "mode": "upsert-prune-scope-delete",
                            "fields": [{"attribute": "a", "field": "$.x["}, {"attribute": "c"}]}]}
    issues = issues_of(validate_configuration, "inbound", config)
    assert list(issues) == [
        "configuration.entities[0].entity_schema",
        "configuration.entities[0].scope",
        "configuration.entities[0].fields[0].field",
        "configuration.entities[0].fields[1]",
        "configuration.entities[0].unique_ids[1]",
    ]


def test_message_joins_all_issues():
    with pytest.raises(ConfigurationInvalid) as caught:
        validate_configuration("inbound", {"entities": [{"fields": []}]})
    assert caught.value.message == (
        "configuration.entities[0].entity_schema: is required; configuration.entities[0].unique_ids: is required")
    assert caught.value.details == [
        {"path": "configuration.entities[0].entity_schema", "message": "is required"},
        {"path": "configuration.entities[0].unique_ids", "message": "is required"},
    ]


def test_issues_are_capped():
    config = {"entities": [{"entity_schema": "x", "unique_ids": ["id"], "fields": [{"attribute": "id"}] * 80}]}
    with pytest.raises(ConfigurationInvalid) as caught:
        validate_configuration("inbound", config)
    assert len(caught.value.issues) == 50
    assert caught.value.omitted == 30
    assert caught.value.message.endswith("... and 30 more issues")


def test_jsonata_issue_carries_code_and_position():
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"],
                            "fields": [{"attribute": "id", "jsonataExpression": "foo bar"}]}]}
    issues = issues_of(validate_configuration, "inbound", config)
    message = issues["configuration.entities[0].fields[0].jsonataExpression"]
    assert message.startswith("invalid JSONata expression (S0201, position 7): ")


def test_empty_jsonata_is_rejected():
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "jsonataExpression": "",
                            "fields": [{"attribute": "id", "field": "id"}]}]}
    assert_single_issue(validate_configuration, "inbound", config, path="configuration.entities[0].jsonataExpression",
                        contains="not empty")


def test_odd_keys_are_quoted_in_paths():
    config = copy.deepcopy(CONTRACT_WITH_METERS)
    config["entities"][2]["fields"][1]["file_proxy_url"]["params"]["doc id"] = {"field": "$.x["}
    assert_single_issue(validate_configuration, "inbound", config,
                        path='configuration.entities[2].fields[1].file_proxy_url.params["doc id"].field',
                        contains="invalid JSONata expression")


def test_root_names_the_configuration_in_paths():
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [{"attribute": "id"}]}]}
    assert_single_issue(validate_configuration, "inbound", config, root="event_configuration",
                        path="event_configuration.entities[0].fields[0]", contains="needs a value source")


def test_constant_null_counts_as_a_value():
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"],
                            "fields": [{"attribute": "id", "field": "id"}, {"attribute": "note", "constant": None}]}]}
    assert validate_configuration("inbound", config) == config
