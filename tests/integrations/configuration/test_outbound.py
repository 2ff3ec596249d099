"""Outbound configuration: mappings validated, ids generated, timestamps maintained by the server."""
from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime

import pytest

from integrations.configuration import validate_configuration
from tests.integrations.configuration.examples import OUTBOUND
from tests.integrations.configuration.helpers import assert_single_issue, delete_at, set_at

T1 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 8, 30, 15, 250000, tzinfo=UTC)


def test_valid_configuration_gains_only_server_fields():
    result = validate_configuration("outbound", copy.deepcopy(OUTBOUND), now=T1)
    mapping = result["mappings"][0]
    assert mapping.pop("created_at") == "2026-03-01T12:00:00.000Z"
    assert mapping.pop("updated_at") == "2026-03-01T12:00:00.000Z"
    assert result == OUTBOUND


def test_missing_id_gets_a_uuid4_and_enabled_defaults_true():
    config = copy.deepcopy(OUTBOUND)
    del config["mappings"][0]["id"]
    del config["mappings"][0]["enabled"]
    mapping = validate_configuration("outbound", config, now=T1)["mappings"][0]
    assert uuid.UUID(mapping["id"]).version == 4
    assert mapping["enabled"] is True
    assert "id" not in config["mappings"][0]  # the input is not modified


def test_given_created_at_is_kept_for_a_new_mapping():
    config = copy.deepcopy(OUTBOUND)
    config["mappings"][0]["created_at"] = "2025-12-24T18:00:00.000Z"
    config["mappings"][0]["updated_at"] = "2025-12-24T18:00:00.000Z"
    mapping = validate_configuration("outbound", config, now=T1)["mappings"][0]
    assert mapping["created_at"] == "2025-12-24T18:00:00.000Z"
    assert mapping["updated_at"] == "2026-03-01T12:00:00.000Z"


def test_malformed_timestamps_are_replaced():
    config = copy.deepcopy(OUTBOUND)
    config["mappings"][0]["created_at"] = "yesterday"
    mapping = validate_configuration("outbound", config, now=T1)["mappings"][0]
    assert mapping["created_at"] == "2026-03-01T12:00:00.000Z"


def test_unchanged_mapping_keeps_its_timestamps():
    stored = validate_configuration("outbound", copy.deepcopy(OUTBOUND), now=T1)
    resubmitted = copy.deepcopy(OUTBOUND)  # a client PUT without the server fields
    result = validate_configuration("outbound", resubmitted, previous=stored, now=T2)
    assert result == stored


def test_changed_mapping_gets_a_new_updated_at_only():
    stored = validate_configuration("outbound", copy.deepcopy(OUTBOUND), now=T1)
    changed = copy.deepcopy(stored)
    changed["mappings"][0]["enabled"] = False
    changed["mappings"][0]["created_at"] = "2020-01-01T00:00:00Z"  # clients cannot rewrite history
    mapping = validate_configuration("outbound", changed, previous=stored, now=T2)["mappings"][0]
    assert mapping["created_at"] == "2026-03-01T12:00:00.000Z"
    assert mapping["updated_at"] == "2026-03-02T08:30:15.250Z"


def test_added_mapping_is_stamped_now_while_others_keep_theirs():
    stored = validate_configuration("outbound", copy.deepcopy(OUTBOUND), now=T1)
    config = copy.deepcopy(stored)
    config["mappings"].append({"name": "Audit copy", "jsonata_expression": "$", "enabled": False,
                               "delivery": {"type": "webhook", "webhook_id": "wh-audit"}})
    result = validate_configuration("outbound", config, previous=stored, now=T2)
    assert result["mappings"][0] == stored["mappings"][0]
    assert result["mappings"][1]["created_at"] == result["mappings"][1]["updated_at"] == "2026-03-02T08:30:15.250Z"


def test_none_configuration_is_allowed():
    assert validate_configuration("outbound", None) is None


def test_unknown_keys_are_kept():
    config = copy.deepcopy(OUTBOUND)
    config["ack_tracking"] = "on"
    config["mappings"][0]["delivery"]["retry"] = {"max": 3}
    result = validate_configuration("outbound", copy.deepcopy(config), now=T1)
    assert result["ack_tracking"] == "on"
    assert result["mappings"][0]["delivery"]["retry"] == {"max": 3}






M0 = ("mappings", 0)
SECOND = {"id": "0b6b2a6e-52a4-4c7e-8f0a-6b3a0d5d2f11", "name": "Copy", "jsonata_expression": "$", "enabled": True,
          "delivery": {"type": "webhook", "webhook_id": "wh-2"}}

INVALID = [
    ("not-an-object", lambda c: "contract.created", "configuration", "must be an object"),
    ("event-missing", delete_at(("event_catalog_event",)), "configuration.event_catalog_event", "is required"),
    ("event-empty", set_at(("event_catalog_event",), ""), "configuration.event_catalog_event", "must not be empty"),
    ("mappings-missing", delete_at(("mappings",)), "configuration.mappings", "is required"),
    ("mappings-empty", set_at(("mappings",), []), "configuration.mappings", "at least 1 item"),
    ("mapping-not-object", set_at(M0, "ERP"), "configuration.mappings[0]", "must be an object"),
    ("id-not-uuid", set_at((*M0, "id"), "mapping-1"), "configuration.mappings[0].id", "must be a UUID"),
    ("id-duplicate", lambda c: {**c, "mappings": [*c["mappings"], SECOND]}, "configuration.mappings[1].id",
     "already used by mappings[0]"),
    ("name-missing", delete_at((*M0, "name")), "configuration.mappings[0].name", "is required"),
    ("expression-missing", delete_at((*M0, "jsonata_expression")), "configuration.mappings[0].jsonata_expression",
     "is required"),
    ("expression-invalid", set_at((*M0, "jsonata_expression"), "{ \"id\": entity._id"),
     "configuration.mappings[0].jsonata_expression", "invalid JSONata expression (S0203"),
    ("enabled-string", set_at((*M0, "enabled"), "true"), "configuration.mappings[0].enabled", "must be a boolean"),
    ("delivery-missing", delete_at((*M0, "delivery")), "configuration.mappings[0].delivery", "is required"),
    ("delivery-type", set_at((*M0, "delivery", "type"), "sms"), "configuration.mappings[0].delivery.type",
     "(got 'sms')"),
    ("delivery-type-missing", delete_at((*M0, "delivery", "type")), "configuration.mappings[0].delivery.type",
     "is required"),
    ("webhook-id-missing", delete_at((*M0, "delivery", "webhook_id")),
     "configuration.mappings[0].delivery.webhook_id", "is required"),
    ("webhook-name-number", set_at((*M0, "delivery", "webhook_name"), 5),
     "configuration.mappings[0].delivery.webhook_name", "must be a string"),
]


@pytest.mark.parametrize(("mutate", "path", "contains"), [pytest.param(*case[1:], id=case[0]) for case in INVALID])
def test_invalid_outbound_configuration(mutate, path, contains):
    config = mutate(copy.deepcopy(OUTBOUND))
    assert_single_issue(validate_configuration, "outbound", config, path=path, contains=contains)
