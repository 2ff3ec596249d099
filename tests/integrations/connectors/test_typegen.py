"""Type generation engine: shape inference, change detection and the TypeScript package (tsc-checked)."""
from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import tarfile

import pytest

from integrations.connectors.typegen.changes import detect_changes, suggest
from integrations.connectors.typegen.package import generate_package, interface_name, tarball
from integrations.connectors.typegen.shapes import ShapeError, infer_shape

RESPONSE = ('{"customer_id": $string(data.id), "total": data.amount * 100, "active": data.status = "A", '
            '"label": data.first & " " & data.last, "lines": data.items.{"sku": code, "qty": $number(q)}, '
            '"raw": data.meta, "tag": data.x ? "yes" : 1}')


def test_object_constructor_yields_typed_properties():
    shape = infer_shape(RESPONSE)
    props = shape["properties"]
    assert shape["kind"] == "object"
    assert props["customer_id"] == {"kind": "string"}
    assert props["total"] == {"kind": "number"}
    assert props["active"] == {"kind": "boolean"}
    assert props["label"] == {"kind": "string"}
    assert props["lines"] == {"kind": "array", "items": {"kind": "object", "properties": {
        "sku": {"kind": "unknown", "source": "code"}, "qty": {"kind": "number"}}}}
    assert props["raw"] == {"kind": "unknown", "source": "data.meta"}
    assert props["tag"] == {"kind": "union", "variants": [{"kind": "string"}, {"kind": "number"}]}


def test_no_mapping_passes_the_payload_through_and_bad_syntax_is_an_error():
    assert infer_shape(None) == {"kind": "unknown", "source": "$"}
    assert infer_shape("[1, 2]") == {"kind": "array", "items": {"kind": "number"}}
    with pytest.raises(ShapeError):
        infer_shape('{"a": ')


def _use_case(slug, request, response):
    return {"slug": slug, "request_shape": infer_shape(request), "response_shape": infer_shape(response)}


def test_changes_removed_or_retyped_fields_are_breaking_added_ones_minor():
    old = {"get-customer": _use_case("get-customer", '{"id": id}', '{"a": $string(x), "b": 1}')}
    added = {"get-customer": _use_case("get-customer", '{"id": id}', '{"a": $string(x), "b": 1, "c": true}')}
    changes = detect_changes(old, added)
    assert changes == [{"slug": "get-customer", "field": "response.c", "type": "non-breaking",
                        "description": "response.c was added (boolean)"}]
    assert suggest("1.2.3", changes) == ("minor", "1.3.0")
    retyped = {"get-customer": _use_case("get-customer", '{"id": id}', '{"a": 1}')}
    changes = detect_changes(old, retyped)
    assert {c["field"]: c["type"] for c in changes} == {"response.a": "breaking", "response.b": "breaking"}
    assert suggest("1.2.3", changes) == ("major", "2.0.0")
    assert suggest(None, []) == (None, "1.0.0")
    assert detect_changes(None, retyped) == []


def test_generated_package_has_interfaces_map_and_applies_annotations():
    use_cases = [_use_case("get-customer", '{"id": customerId}', RESPONSE), _use_case("list-vendors", None, None)]
    files, warnings = generate_package(
        package_name="@acme/erp-types", version="1.0.0", use_cases=use_cases,
        annotations={"get-customer": {"response": {"raw": "Record<string, string>", "nope": "string",
                                                   "lines[].sku": "string"}},
                     "ghost": {"request": {"a": "string"}}})
    manifest = json.loads(files["package.json"])
    assert manifest["name"] == "@acme/erp-types" and manifest["types"] == "index.d.ts"
    index = files["index.d.ts"]
    assert "export type GetCustomerResponse = {" in index
    assert "raw?: Record<string, string>;" in index and "sku?: string;" in index
    assert '"get-customer": { request: GetCustomerRequest; response: GetCustomerResponse };' in index
    assert any("'nope' matches no inferred field" in w for w in warnings)
    assert any("'ghost'" in w for w in warnings)
    assert interface_name("9-lives") == "UseCase9Lives"


def test_tarball_is_an_npm_pack_layout_and_deterministic():
    files = {"package.json": "{}", "index.d.ts": "export {};\n"}
    data = tarball(files)
    assert data == tarball(files)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as archive:
        assert sorted(archive.getnames()) == ["package/index.d.ts", "package/package.json"]


def run_tsc(tmp_path, files: dict[str, str]) -> subprocess.CompletedProcess:
    """``tsc --noEmit --strict`` over the generated package (typescript 5 from the npm registry via npx)."""
    if shutil.which("npx") is None:
        pytest.skip("Node.js (npx) is not installed: the generated package cannot be type-checked here")
    for path, content in files.items():
        (tmp_path / path).write_text(content)
    (tmp_path / "usage.ts").write_text(
        'import type { UseCaseMap, GetCustomerResponse } from "./index";\n'
        'const r: GetCustomerResponse = { customer_id: "c1", total: 3, lines: [{ sku: "x", qty: 2 }] };\n'
        'const slug: keyof UseCaseMap = "get-customer";\nexport { r, slug };\n')
    return subprocess.run(
        ["npx", "-y", "-p", "typescript@5", "tsc", "--noEmit", "--strict", "--skipLibCheck", "false",
         "index.d.ts", "usage.ts"], cwd=tmp_path, capture_output=True, text=True, timeout=240)


def test_generated_package_compiles_with_tsc(tmp_path):
    use_cases = [_use_case("get-customer", '{"id": customerId, "q": {"from": $now()}}', RESPONSE),
                 _use_case("weird slug!", "[1, \"a\"]", '{"a-b": null, "c": []}')]
    files, _ = generate_package(package_name="@acme/erp-types", version="1.0.0", use_cases=use_cases,
                                annotations={"get-customer": {"response": {"raw": "{ a: string[] }"}}})
    result = run_tsc(tmp_path, files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_upload_expressions_may_read_only_known_bindings():
    from integrations.configuration.bindings import unknown_bindings

    text = ('{"a": $file_data[0].filename, "b": $string($env.x), "c": $filedata, "d": ($y := 1; $y),'
            ' "e": $map($steps, function($s){$s.statusCode}), "f": $ack_id, "g": $now()}')
    assert unknown_bindings(text) == ["filedata"]
    assert unknown_bindings('$exists(contact.pin) ? $string(contact.pin)') == []
