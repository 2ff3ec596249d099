"""Entry points: dispatch per use-case type, collect issues, return the normalised copy."""
from __future__ import annotations

import copy
from datetime import datetime

from integrations.configuration.checks import Checker
from integrations.configuration.file_proxy import normalise_file_proxy, validate_file_proxy
from integrations.configuration.inbound import validate_inbound
from integrations.configuration.issues import ConfigIssue, ConfigurationInvalid
from integrations.configuration.legacy import validate_legacy_mapping
from integrations.configuration.managed_call import validate_managed_call
from integrations.configuration.outbound import normalise_outbound, validate_outbound
from integrations.configuration.secure_proxy import normalise_secure_proxy, validate_secure_proxy

USE_CASE_TYPES = ("inbound", "outbound", "file_proxy", "managed_call", "secure_proxy")
ROOT = "configuration"


def validate_configuration(use_case_type: str, configuration: dict | None, previous: dict | None = None,
                           *, now: datetime | None = None, root: str = ROOT) -> dict | None:
    """The normalised copy of ``configuration`` for a use case of ``use_case_type``.

    ``previous`` is the stored configuration being replaced: unchanged outbound mappings keep their
    timestamps and a secure proxy keeps its read-only ``vpc_mode`` and allow-lists (no ``previous``
    means a create, where they are validated). ``None`` stays ``None`` (a use
    case may exist without configuration). ``root`` names the configuration in issue paths (e.g.
    ``event_configuration`` for simulateMappingV2). Raises ConfigurationInvalid with every issue found.
    """
    if use_case_type not in USE_CASE_TYPES:
        raise ConfigurationInvalid([ConfigIssue("type", f"must be one of {', '.join(USE_CASE_TYPES)} "
                                                        f"(got {use_case_type!r})")])
    if configuration is None:
        return None
    check = Checker()
    if use_case_type == "inbound":
        validate_inbound(configuration, check, root)
    elif use_case_type == "outbound":
        validate_outbound(configuration, check, root)
    elif use_case_type == "file_proxy":
        validate_file_proxy(configuration, check, root)
    elif use_case_type == "managed_call":
        validate_managed_call(configuration, check, root)
    else:
        validate_secure_proxy(configuration, check, root, creating=not isinstance(previous, dict))
    check.issues.raise_if_any()

    result = copy.deepcopy(configuration)
    previous = previous if isinstance(previous, dict) else None
    if use_case_type == "outbound":
        normalise_outbound(result, previous, now=now)
    elif use_case_type == "file_proxy":
        normalise_file_proxy(result, previous)
    elif use_case_type == "secure_proxy":
        normalise_secure_proxy(result, previous)
    return result


def validate_v1_mapping(mapping_configuration: dict, *, root: str = "mapping_configuration") -> dict:
    """The validated copy of a ``simulateMapping`` configuration: v1.0 objects or the v2.0 events wrapper."""
    check = Checker()
    validate_legacy_mapping(mapping_configuration, check, root)
    check.issues.raise_if_any()
    return copy.deepcopy(mapping_configuration)


