"""Any JSON value anywhere gives a result or ConfigurationInvalid - never another exception (a 500 upstream)."""
from __future__ import annotations

import copy
import random

import pytest

from integrations.configuration import ConfigurationInvalid, validate_configuration, validate_v1_mapping
from tests.integrations.configuration.examples import CONTRACT_WITH_METERS, FILE_PROXY, OUTBOUND
from tests.integrations.configuration.test_v1_mapping import V1, WRAPPER

ODD_VALUES = [None, True, 0, -1.5, "", "   ", "$", "{{", "}}", "x" * 300, [], [None], {}, {"": None}, {"1": [1]}]


def _nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


def _replaced(config, path, value):
    if not path:
        return copy.deepcopy(value)
    result = copy.deepcopy(config)
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    return result


CASES = [("inbound", CONTRACT_WITH_METERS), ("outbound", OUTBOUND), ("file_proxy", FILE_PROXY),
         ("v1", V1), ("v1", WRAPPER)]


@pytest.mark.parametrize(("kind", "config"), CASES, ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(CASES)])
def test_every_node_replaced_by_odd_values(kind, config):
    rng = random.Random(20260301)
    for path in list(_nodes(config)):
        for value in rng.sample(ODD_VALUES, 5):
            candidate = _replaced(config, path, value)
            try:
                if kind == "v1":
                    validate_v1_mapping(candidate)
                else:
                    validate_configuration(kind, candidate)
            except ConfigurationInvalid as error:
                root = "mapping_configuration" if kind == "v1" else "configuration"
                assert error.issues
                assert all(issue.path.startswith(root) and issue.message for issue in error.issues)
