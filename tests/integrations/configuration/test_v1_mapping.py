"""simulateMapping configurations: the v1.0 objects format and the legacy v2.0 events wrapper."""
from __future__ import annotations

import copy

import pytest

from integrations.configuration import validate_v1_mapping
from tests.integrations.configuration.examples import CONTACT_SYNC
from tests.integrations.configuration.helpers import assert_single_issue, delete_at, issues_of, set_at

V1 = {
    "version": "1.0",
    "mapping": {
        "objects": {
            "business_partner": {
                "unique_ids": {"contact": {"partner_id": "_id"}, "account": ["account_number"]},
                "fields": [
                    {"entity": "contact", "attribute": "first_name", "field": "firstName"},
                    {"entity": "contact", "attribute": "full_name", "jsonataExpression": "firstName & ' ' & lastName"},
                    {"entity": "account", "attribute": "account_number", "field": "$.account.number"},
                ],
            }
        }
    },
}

WRAPPER = {"version": "2.0", "mapping": {"events": {"CustomerChanged": CONTACT_SYNC}}}


@pytest.mark.parametrize("config", [V1, WRAPPER], ids=["v1", "v2-wrapper"])
def test_valid_mapping_configurations_come_back_unchanged(config):
    result = validate_v1_mapping(copy.deepcopy(config))
    assert result == config


def test_version_defaults_to_1_0():
    config = copy.deepcopy(V1)
    del config["version"]
    assert validate_v1_mapping(copy.deepcopy(config)) == config


def test_unknown_keys_are_kept():
    config = copy.deepcopy(V1)
    config["mapping"]["objects"]["business_partner"]["fields"][0]["note"] = "kept"
    assert validate_v1_mapping(copy.deepcopy(config)) == config


def test_wrapper_events_are_validated_as_inbound_configurations():
    config = copy.deepcopy(WRAPPER)
    config["mapping"]["events"]["CustomerChanged"]["entities"][0]["unique_ids"] = ["contact_id"]
    assert_single_issue(validate_v1_mapping, config,
                        path="mapping_configuration.mapping.events.CustomerChanged.entities[0].unique_ids[0]",
                        contains="'contact_id' is not mapped by any field")


def test_wrapper_event_names_with_spaces_are_quoted():
    config = {"version": "2.0", "mapping": {"events": {"Customer changed": {"entities": [{}]}}}}
    issues = issues_of(validate_v1_mapping, config)
    assert 'mapping_configuration.mapping.events["Customer changed"].entities[0].entity_schema' in issues






BP = ("mapping", "objects", "business_partner")
BP_PATH = "mapping_configuration.mapping.objects.business_partner"

INVALID = [
    ("not-an-object", lambda c: "1.0", "mapping_configuration", "must be an object"),
    ("version-unknown", set_at(("version",), "3.0"), "mapping_configuration.version", "must be one of 1.0, 2.0"),
    ("mapping-missing", delete_at(("mapping",)), "mapping_configuration.mapping", "is required"),
    ("objects-missing", set_at(("mapping",), {}), "mapping_configuration.mapping.objects", "is required"),
    ("events-without-version", set_at(("mapping",), {"events": {}}), "mapping_configuration.version",
     "must be '2.0' for the events format"),
    ("objects-array", set_at(("mapping", "objects"), []), "mapping_configuration.mapping.objects", "must be an object"),
    ("object-not-object", set_at(BP, []), BP_PATH, "must be an object"),
    ("unique-ids-missing", delete_at((*BP, "unique_ids")), f"{BP_PATH}.unique_ids", "is required"),
    ("fields-missing", delete_at((*BP, "fields")), f"{BP_PATH}.fields", "is required"),
    ("unique-ids-wrong-type", set_at((*BP, "unique_ids", "contact"), "partner_id"), f"{BP_PATH}.unique_ids.contact",
     "must be an array of local attribute names or an object"),
    ("unique-ids-array-unmapped", set_at((*BP, "unique_ids", "account"), ["account_id"]),
     f"{BP_PATH}.unique_ids.account[0]", "'account_id' is not mapped by any field of entity 'account'"),
    ("unique-ids-object-non-string", set_at((*BP, "unique_ids", "contact"), {"partner_id": 1}),
     f"{BP_PATH}.unique_ids.contact.partner_id", "must be a string"),
    ("field-entity-missing", delete_at((*BP, "fields", 0, "entity")), f"{BP_PATH}.fields[0].entity", "is required"),
    ("field-attribute-missing", delete_at((*BP, "fields", 0, "attribute")), f"{BP_PATH}.fields[0].attribute",
     "is required"),
    ("field-and-expression", set_at((*BP, "fields", 0, "jsonataExpression"), "firstName"), f"{BP_PATH}.fields[0]",
     "mutually exclusive"),
    ("field-without-value", delete_at((*BP, "fields", 0, "field")), f"{BP_PATH}.fields[0]",
     "needs a value: set field or jsonataExpression"),
    ("field-expression-invalid", set_at((*BP, "fields", 1, "jsonataExpression"), "firstName & "),
     f"{BP_PATH}.fields[1].jsonataExpression", "invalid JSONata expression"),
    ("field-dollar-path-invalid", set_at((*BP, "fields", 2, "field"), "$.account.[number"),
     f"{BP_PATH}.fields[2].field", "invalid JSONata expression"),
]


@pytest.mark.parametrize(("mutate", "path", "contains"), [pytest.param(*case[1:], id=case[0]) for case in INVALID])
def test_invalid_v1_configuration(mutate, path, contains):
    config = mutate(copy.deepcopy(V1))
    assert_single_issue(validate_v1_mapping, config, path=path, contains=contains)


def test_wrapper_needs_events():
    assert_single_issue(validate_v1_mapping, {"version": "2.0", "mapping": {"objects": {}}},
                        path="mapping_configuration.mapping.events", contains="is required")
