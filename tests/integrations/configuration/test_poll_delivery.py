"""Poll delivery mappings: settings with their ranges, at most one per use case, no webhook fields on poll
and no poll fields on webhook deliveries, optional enqueue-time transform."""
from __future__ import annotations

import copy
import hashlib

import pytest

from integrations.configuration import validate_configuration
from integrations.configuration.poll_delivery import mapping_version, poll_settings

from .examples import OUTBOUND
from .helpers import assert_single_issue

POLL = {"name": "ERP pull", "enabled": True, "delivery": {"type": "poll"}}


def with_mappings(*mappings):
    config = copy.deepcopy(OUTBOUND)
    config["mappings"] = [copy.deepcopy(m) for m in mappings]
    return config


def test_poll_mapping_needs_no_expression_and_defaults_apply():
    result = validate_configuration("outbound", with_mappings(POLL, OUTBOUND["mappings"][0]))
    poll = result["mappings"][0]
    assert "jsonata_expression" not in poll and poll["id"]
    assert poll_settings(poll).retention_days == 30 and poll_settings(poll).poison_policy == "dead_letter"
    assert poll_settings(poll).max_delivery_attempts == 5


def test_full_poll_settings_and_a_transform_are_accepted():
    mapping = {**POLL, "jsonata_expression": '{"id": contract_number}',
               "delivery": {"type": "poll", "retention_days": 90, "poison_policy": "block", "max_delivery_attempts": 1}}
    result = validate_configuration("outbound", with_mappings(mapping))
    assert result["mappings"][0]["delivery"]["poison_policy"] == "block"


def test_mapping_version_is_the_sha256_prefix_of_the_trimmed_expression():
    assert mapping_version("  $  ") == mapping_version("$") == hashlib.sha256(b"$").hexdigest()[:16]
    assert len(mapping_version("$")) == 16 and mapping_version("$") != mapping_version("$$")


P0 = "configuration.mappings[0].delivery"
INVALID = [
    ("retention-low", {"retention_days": 0}, f"{P0}.retention_days", "must be from 1 to 90 (got 0)"),
    ("retention-high", {"retention_days": 91}, f"{P0}.retention_days", "must be from 1 to 90"),
    ("retention-string", {"retention_days": "30"}, f"{P0}.retention_days", "must be an integer"),
    ("attempts-high", {"max_delivery_attempts": 101}, f"{P0}.max_delivery_attempts", "must be from 1 to 100"),
    ("attempts-bool", {"max_delivery_attempts": True}, f"{P0}.max_delivery_attempts", "must be an integer"),
    ("policy", {"poison_policy": "retry"}, f"{P0}.poison_policy", "must be one of dead_letter, block"),
    ("webhook-id", {"webhook_id": "wh-1"}, f"{P0}.webhook_id", "belongs to delivery type 'webhook', not 'poll'"),
    ("webhook-url", {"webhook_url": "https://x"}, f"{P0}.webhook_url", "belongs to delivery type 'webhook'"),
    ("slug", {"use_case_slug": "dms"}, f"{P0}.use_case_slug", "belongs to delivery type 'file_proxy'"),
]


@pytest.mark.parametrize(("delivery", "path", "contains"), [pytest.param(*c[1:], id=c[0]) for c in INVALID])
def test_invalid_poll_delivery(delivery, path, contains):
    mapping = {**POLL, "delivery": {"type": "poll", **delivery}}
    assert_single_issue(validate_configuration, "outbound", with_mappings(mapping), path=path, contains=contains)


def test_at_most_one_poll_mapping_per_use_case():
    assert_single_issue(validate_configuration, "outbound", with_mappings(POLL, {**POLL, "name": "again"}),
                        path="configuration.mappings[1].delivery", contains="at most one poll mapping")


def test_poll_settings_on_a_webhook_delivery_are_rejected():
    webhook = copy.deepcopy(OUTBOUND["mappings"][0])
    webhook["delivery"]["retention_days"] = 7
    assert_single_issue(validate_configuration, "outbound", with_mappings(webhook),
                        path="configuration.mappings[0].delivery.retention_days",
                        contains="belongs to delivery type 'poll', not 'webhook'")


def test_invalid_transform_on_poll_names_its_path():
    mapping = {**POLL, "jsonata_expression": '{"id": '}
    assert_single_issue(validate_configuration, "outbound", with_mappings(mapping),
                        path="configuration.mappings[0].jsonata_expression", contains="invalid JSONata")
