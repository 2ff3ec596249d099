"""The code registry mirrors the contract's MonitoringCode enum, one fixed level per code."""
import pytest

from monitoring import codes
from tests.spec import load_spec


def test_registry_names_exactly_the_contract_enum():
    enum = set(load_spec("1.33")["components"]["schemas"]["MonitoringCode"]["enum"])
    assert enum == codes.CODES
    assert all(level in codes.LEVELS for level in codes.LEVEL_OF.values())


def test_the_level_of_a_code_is_fixed():
    assert codes.resolve_level("DUPLICATE_EVENT", None) == "info"
    assert codes.resolve_level("WEBHOOK_DELIVERED", "success") == "success"
    with pytest.raises(ValueError):
        codes.resolve_level("MSG_DEAD_LETTERED", "info")
    assert codes.resolve_level("HTTP_502", "error") == "error"
    with pytest.raises(codes.UnknownCode):
        codes.resolve_level("HTTP_502", None)
    assert codes.resolve_level("", None) == "success"
