"""Write the TypeScript package of an integration's managed calls: ``package.json`` and ``index.d.ts``
(request/response interfaces per use case and a ``UseCaseMap``), and pack it as an npm-style ``.tgz``.

Annotations (``{slug: {request: {path: type}, response: {...}}}``, paths like ``vendors[].id``) replace the
inferred type at that path; an annotation must be a plain TypeScript type expression, anything else is
ignored with a warning, so what we write always compiles.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import tarfile

IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
TYPE_EXPRESSION = re.compile(r"^[A-Za-z0-9_$ |&<>\[\]{}:;,?'\".\-]+$")
PACKAGE_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
DEFAULT_TS_KEYWORDS = {"string", "number", "boolean", "null", "unknown", "any", "undefined", "object", "never"}


def interface_name(slug: str) -> str:
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", slug) if part)
    return name if name and not name[0].isdigit() else f"UseCase{name}"


def _key(name: str) -> str:
    return name if IDENTIFIER.match(name) else json.dumps(name)


def _annotation_ok(text: str) -> bool:
    return bool(TYPE_EXPRESSION.match(text)) and text.count("{") == text.count("}") \
        and text.count("<") == text.count(">") and text.count("[") == text.count("]")


class _Writer:
    def __init__(self, annotations: dict[str, str], label: str, warnings: list[str]):
        self.annotations, self.label, self.warnings = annotations, label, warnings
        self.used: set[str] = set()

    def type_of(self, shape: dict, path: str, indent: int) -> str:
        if path in self.annotations:
            self.used.add(path)
            text = self.annotations[path]
            if _annotation_ok(text):
                return text
            self.warnings.append(f"{self.label}: annotation for {path or '(root)'} is not a plain TypeScript "
                                 "type and was ignored")
        kind = shape.get("kind")
        if kind == "object":
            properties = shape.get("properties") or {}
            if not properties:
                return "Record<string, unknown>"
            pad = "  " * (indent + 1)
            lines = [f"{pad}{_key(k)}?: {self.type_of(v, f'{path}.{k}' if path else k, indent + 1)};"
                     for k, v in properties.items()]
            return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
        if kind == "array":
            return f"Array<{self.type_of(shape.get('items') or {'kind': 'unknown'}, f'{path}[]', indent)}>"
        if kind == "union":
            return " | ".join(self.type_of(v, path, indent) for v in shape.get("variants") or []) or "unknown"
        if kind in ("string", "number", "boolean", "null"):
            return kind
        return "unknown"


def generate_package(*, package_name: str, version: str, use_cases: list[dict], description: str | None = None,
                     domain_package: str | None = None, domain_map_name: str | None = None,
                     annotations: dict[str, dict] | None = None) -> tuple[dict[str, str], list[str]]:
    """``use_cases``: [{slug, name?, request_shape, response_shape}]. Returns (files, warnings)."""
    annotations = annotations or {}
    warnings: list[str] = []
    blocks: list[str] = []
    map_lines: list[str] = []
    known = {uc["slug"] for uc in use_cases}
    for slug in sorted(set(annotations) - known):
        warnings.append(f"annotations for {slug!r} name no managed-call use case and were ignored")
    for uc in use_cases:
        slug, name = uc["slug"], interface_name(uc["slug"])
        for side, shape_key in (("Request", "request_shape"), ("Response", "response_shape")):
            side_annotations = (annotations.get(slug) or {}).get(side.lower()) or {}
            writer = _Writer(side_annotations, f"{slug} {side.lower()}", warnings)
            body = writer.type_of(uc[shape_key], "", 0)
            for path in sorted(set(side_annotations) - writer.used):
                warnings.append(f"{slug} {side.lower()}: annotation path {path!r} matches no inferred field")
            title = uc.get("name") or slug
            blocks.append(f"/** {side} of the managed call {json.dumps(title)[1:-1]} (slug {slug}). */\n"
                          f"export type {name}{side} = {body};\n")
        map_lines.append(f"  {json.dumps(slug)}: {{ request: {name}Request; response: {name}Response }};")
    header = ""
    extends = ""
    if domain_package and domain_map_name:
        header = f"import type {{ {domain_map_name} }} from {json.dumps(domain_package)};\n\n"
        extends = f" extends {domain_map_name}"
        warnings.append(f"index.d.ts imports {domain_map_name} from {domain_package}: install it next to the package")
    elif domain_package or domain_map_name:
        warnings.append("domain_package and domain_map_name go together; the map was not extended")
    index = (f"// Generated by erpintegration for {package_name}@{version}. Do not edit.\n\n{header}"
             + "\n".join(blocks)
             + f"\n/** Every managed call of the integration by slug. */\nexport interface UseCaseMap{extends} {{\n"
             + "\n".join(map_lines) + "\n}\n\nexport type UseCaseSlug = keyof UseCaseMap;\n")
    manifest: dict = {"name": package_name, "version": version,
                      "description": description or f"Types of the managed calls of {package_name}",
                      "types": "index.d.ts", "files": ["index.d.ts"], "license": "UNLICENSED"}
    if domain_package and domain_map_name:
        manifest["peerDependencies"] = {domain_package: "*"}
    return {"package.json": json.dumps(manifest, indent=2) + "\n", "index.d.ts": index}, warnings


def tarball(files: dict[str, str]) -> bytes:
    """An npm-pack style .tgz (everything under ``package/``), byte-identical for the same files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for path in sorted(files):
            data = files[path].encode()
            info = tarfile.TarInfo(f"package/{path}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)
