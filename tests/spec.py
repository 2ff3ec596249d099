"""The contract (../shared/spec) as JSON-schema validators; tests skip clearly when it is absent."""
import json
from functools import cache
from pathlib import Path

import pytest

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "spec" / "erp-integration.openapi.json"


@cache
def load_spec() -> dict:
    if not SPEC_PATH.exists():
        pytest.skip(f"contract not available: {SPEC_PATH} is absent (it lives in ../shared/spec)")
    return json.loads(SPEC_PATH.read_text())


def _to_json_schema(node):
    """OpenAPI 3.0 schema -> JSON schema: nullable, readOnly/writeOnly and discriminator handled."""
    if isinstance(node, dict):
        out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("discriminator", "example", "xml")}
        if node.get("nullable"):
            out.pop("nullable", None)
            if "type" in out:
                out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
            elif "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
                out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_to_json_schema(v) for v in node]
    return node


def response_schema(operation_id: str, status: int) -> dict | None:
    spec = load_spec()
    for methods in spec["paths"].values():
        for _method, op in methods.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                response = op["responses"].get(str(status))
                if response is None:
                    raise AssertionError(f"{operation_id} does not declare status {status}")
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                content = response.get("content", {}).get("application/json")
                return content.get("schema") if content else None
    raise AssertionError(f"unknown operationId {operation_id}")


def assert_matches_contract(operation_id: str, response) -> None:
    """Validate an API response (status and body) against the contract's schema for it."""
    import jsonschema

    schema = response_schema(operation_id, response.status_code)
    if schema is None:
        return
    spec = load_spec()
    full = {"components": _to_json_schema(spec["components"]), **_to_json_schema(schema)}
    validator = jsonschema.Draft7Validator(full, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, f"{operation_id} {response.status_code} violates the contract: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
    )
