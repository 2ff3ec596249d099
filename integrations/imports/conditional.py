"""Conditional targets of an import: rows grouped into variant-versions. Pure: no Django.

An inbound entity configuration with ``conditional.from_rows[0] = {attribute, sort_by, item}`` writes a
*conditional* entity (a product, price or coupon with context-dependent variants). The condition attributes
come from the entity-schema registry (``conditions``), not from the mapping. For each row the mapping gives the
entity's identity, its condition values and its other attributes; ``item`` and ``sort_by`` shape one array item
from the row. Consecutive rows with the same identity, condition values (and version, when the schema names a
``version_attribute``) form one variant-version; its items, sorted numerically by ``sort_by``, become the array
``attribute`` of the variant. See docs/imports.md for the issue codes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from integrations.imports.columns import analyse

VARIANTS_ATTRIBUTE = "variants"


@dataclass
class Target:
    index: int
    schema: str
    unique_ids: list[str]
    conditions: list[str]
    version_attribute: str | None
    attribute: str
    item_config: dict  # a synthetic inbound configuration that maps one row to {"__sort__", item fields}
    overridable: set[str]
    known: set[str]


def _issue(code: str, severity: str, **extra) -> dict:
    return {"code": code, "severity": severity, **extra}


def targets(configuration: dict, registry: dict[str, dict]) -> tuple[list[Target], list[dict]]:
    """The conditional targets of a mapping and the issues that reject it before any row is read."""
    found, issues = [], []
    for index, entity in enumerate(configuration.get("entities") or []):
        if not isinstance(entity, dict) or not isinstance(entity.get("conditional"), dict):
            continue
        schema = str(entity.get("entity_schema") or "")
        from_rows = entity["conditional"].get("from_rows")
        if not isinstance(from_rows, list) or len(from_rows) != 1 or not isinstance(from_rows[0], dict):
            issues.append(_issue("SCHEMA_NOT_CONDITIONABLE", "blocking", subject=schema))
            continue
        spec = from_rows[0]
        if entity.get("mode", "upsert") != "upsert":
            issues.append(_issue("CONDITIONAL_TARGET_MODE_UNSUPPORTED", "blocking", subject=schema))
            continue
        declared = registry.get(schema)
        if declared is None:
            issues.append(_issue("SCHEMA_NOT_FOUND", "blocking", subject=schema))
            continue
        conditions = [c for c in declared.get("conditions") or [] if isinstance(c, str)]
        if not conditions:
            issues.append(_issue("SCHEMA_DECLARES_NO_CONDITIONS", "blocking", subject=schema))
            continue
        fields = {f.get("attribute"): f for f in entity.get("fields") or [] if isinstance(f, dict)}
        sort_columns = _columns_of(spec.get("sort_by"))
        rejected = False
        for condition in conditions:
            field_spec = fields.get(condition)
            if field_spec is None or "constant" in field_spec:
                issues.append(_issue("GROUPING_KEY_NOT_A_COLUMN", "blocking", subject=condition))
                rejected = True
            elif _columns_of(field_spec) & sort_columns:
                issues.append(_issue("GROUPING_KEY_IS_SORT_COLUMN", "blocking", subject=condition))
                rejected = True
        if rejected:
            continue
        item = spec.get("item") if isinstance(spec.get("item"), dict) else {}
        item_fields = [{"attribute": "__row__", "constant": "1"}, {"attribute": "__sort__", **spec.get("sort_by", {})}]
        item_fields += [{"attribute": name, **value} for name, value in item.items() if isinstance(value, dict)]
        found.append(Target(
            index=index, schema=schema, unique_ids=list(entity.get("unique_ids") or []), conditions=conditions,
            version_attribute=declared.get("version_attribute") or None, attribute=str(spec.get("attribute")),
            item_config={"entities": [{"entity_schema": "__item__", "unique_ids": ["__row__"], "fields": item_fields}]},
            overridable=set(declared.get("overridable") or []), known=set(declared.get("attributes") or []),
        ))
    if len(found) > 1:  # one grouping per file: a row's outcome is written when its variant closes
        issues.extend(_issue("SCHEMA_NOT_CONDITIONABLE", "blocking", subject=t.schema) for t in found[1:])
        found = found[:1]
    return found, issues


def _columns_of(value_spec) -> set[str]:
    if not isinstance(value_spec, dict):
        return set()
    info = analyse({"entities": [{"entity_schema": "_", "unique_ids": ["x"], "fields": [{"attribute": "x", **value_spec}]}]})
    return info[0].direct_columns | info[0].expression_names if info else set()


def sort_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class Variant:
    """One closed variant-version, ready to write."""

    target: Target
    unique_identifiers: dict
    base: dict
    variant: dict
    rows: list  # the row tokens, in file order

    @property
    def entity_key(self) -> str:
        return _key(self.unique_identifiers)


@dataclass
class Grouper:
    """Follows the rows of one conditional target through the file, in file order."""

    target: Target
    closed: set = field(default_factory=set)
    current: tuple | None = None
    rows: list = field(default_factory=list)  # (row token, unique ids, attributes, item, sort value)
    entity_bases: dict = field(default_factory=dict)  # entity key -> first base attributes
    entity_variants: dict = field(default_factory=dict)  # entity key -> {condition key}
    entity_versions: dict = field(default_factory=dict)  # entity key -> {(condition key, version)}
    issues: list = field(default_factory=list)
    blank_conditions: dict = field(default_factory=dict)  # condition -> still blank in every row

    def add(self, row, unique_identifiers: dict, attributes: dict, item: dict, sort_value) -> Variant | None:
        """Add a row (``row`` is the caller's token for it); returns the variant this row closed, if any.
        ``sort_value`` must be numeric (``sort_number`` not None): the caller rejects other rows."""
        target = self.target
        conditions = {c: attributes.get(c) for c in target.conditions}
        for c, v in conditions.items():
            blank = v is None or (isinstance(v, str) and not v.strip())
            self.blank_conditions[c] = self.blank_conditions.get(c, True) and blank
        version = attributes.get(target.version_attribute) if target.version_attribute else None
        entity = _key(unique_identifiers)
        key = (entity, _key(conditions), _key(version))
        done = None
        if key != self.current:
            done = self.close()
            if key in self.closed:
                self.issues.append(_issue("TIER_ROWS_NOT_GROUPED", "blocking",
                                          columns=[{"name": c} for c in target.conditions]))
            self.current = key
        if any(sort_number(r[4]) == sort_number(sort_value) for r in self.rows):
            self.issues.append(_issue("TIER_BANDS_CONFLICT", "blocking", subject=target.attribute))
        if target.known:
            for name in attributes:
                if name not in target.known and name not in target.conditions:
                    self.issues.append(_issue("ATTRIBUTE_NOT_IN_SCHEMA", "warning", subject=name))
        self.rows.append((row, unique_identifiers, attributes, item, sort_value))
        return done

    def close(self) -> Variant | None:
        if not self.rows:
            return None
        target = self.target
        _, unique_identifiers, first, _, _ = self.rows[0]
        for _, _, attributes, _, _ in self.rows[1:]:
            for name, value in attributes.items():
                if name not in target.conditions and _key(value) != _key(first.get(name)):
                    self.issues.append(_issue("VARIANT_VALUE_CONFLICT", "warning", subject=name))
        entity = self.current[0]
        conditions = {c: first.get(c) for c in target.conditions}
        overrides = {k: v for k, v in first.items() if k in target.overridable and k not in target.conditions}
        base = {k: v for k, v in first.items()
                if k not in target.overridable and k not in target.conditions and k != target.version_attribute}
        known_base = self.entity_bases.setdefault(entity, base)
        for name, value in base.items():
            if name not in target.unique_ids and _key(value) != _key(known_base.get(name, value)):
                self.issues.append(_issue("ATTRIBUTE_NOT_OVERRIDABLE", "warning", subject=name))
        items = sorted(self.rows, key=lambda r: sort_number(r[4]) if sort_number(r[4]) is not None else 0.0)
        variant = {"conditions": conditions, **overrides, target.attribute: [r[3] for r in items]}
        if target.version_attribute:
            variant[target.version_attribute] = first.get(target.version_attribute)
        self.entity_variants.setdefault(entity, set()).add(self.current[1])
        self.entity_versions.setdefault(entity, set()).add((self.current[1], self.current[2]))
        self.closed.add(self.current)
        closed = Variant(target, unique_identifiers, known_base, variant, [r[0] for r in self.rows])
        self.rows = []
        return closed

    def finish_issues(self) -> list[dict]:
        for condition, blank in self.blank_conditions.items():
            if blank:
                self.issues.append(_issue("CONDITION_VALUE_MISSING", "blocking", subject=condition))
        return self.issues

    @property
    def open_rows(self) -> list:
        return [r[0] for r in self.rows]

    def counts(self, unique_identifiers: dict) -> tuple[int, int]:
        entity = _key(unique_identifiers)
        return len(self.entity_variants.get(entity, ())), len(self.entity_versions.get(entity, ()))
