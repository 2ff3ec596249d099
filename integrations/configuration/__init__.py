"""Validation and normalisation of use-case ``configuration`` objects - pure Python, no Django.

``validate_configuration(type, configuration, previous=None)`` checks a configuration against the
contract's schemas and the domain rules, compiles every JSONata expression, checks Handlebars templates,
and returns a normalised copy (unknown keys kept). ``validate_v1_mapping`` does the same for the
simulation-only v1.0 objects format and the legacy v2.0 events wrapper. Both raise ConfigurationInvalid
listing every issue with its exact path.
"""
from integrations.configuration.issues import MAX_ISSUES, ConfigIssue, ConfigurationInvalid
from integrations.configuration.validate import USE_CASE_TYPES, validate_configuration, validate_v1_mapping

__all__ = [
    "MAX_ISSUES",
    "USE_CASE_TYPES",
    "ConfigIssue",
    "ConfigurationInvalid",
    "validate_configuration",
    "validate_v1_mapping",
]
