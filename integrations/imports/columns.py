"""Which file columns an inbound mapping reads. Pure: no Django.

A row of an import is the payload ``{column name: string}``. A field reads a column when its ``field``
path starts with the column's name, or when its ``jsonataExpression`` names the column (a bare name or a
backticked one). Entities that expand items with their own ``jsonataExpression`` read the file through that
expression, so their field paths are not columns; only names in expressions count for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_BACKTICKED = re.compile(r"`([^`]+)`")
_BARE = re.compile(r"(?<![\w$`\"'])([A-Za-z_\u00c0-\u024f][\w\u00c0-\u024f]*)")


@dataclass
class EntityColumns:
    index: int
    schema: str
    mode: str
    direct_columns: set[str] = field(default_factory=set)  # read by a ``field`` path: must exist
    expression_names: set[str] = field(default_factory=set)  # names inside JSONata expressions
    unique_id_columns: dict[str, set[str]] = field(default_factory=dict)  # unique id attribute -> columns
    constant_unique_ids: set[str] = field(default_factory=set)


def expression_names(expression: str) -> set[str]:
    names = set(_BACKTICKED.findall(expression))
    without_strings = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`", " ", expression)
    names.update(_BARE.findall(without_strings))
    return names


def _path_head(path: str) -> str:
    if path.startswith("`"):
        end = path.find("`", 1)
        return path[1:end] if end > 0 else path.strip("`")
    return path.split(".", 1)[0].split("[", 1)[0]


def analyse(configuration: dict) -> list[EntityColumns]:
    out = []
    for index, entity in enumerate(configuration.get("entities") or []):
        if not isinstance(entity, dict):
            continue
        info = EntityColumns(index, str(entity.get("entity_schema") or ""), str(entity.get("mode") or "upsert"))
        expanded = "jsonataExpression" in entity
        if expanded:
            info.expression_names |= expression_names(str(entity["jsonataExpression"]))
        unique_ids = [u for u in entity.get("unique_ids") or [] if isinstance(u, str)]
        for spec in entity.get("fields") or []:
            if not isinstance(spec, dict):
                continue
            columns: set[str] = set()
            if isinstance(spec.get("field"), str) and spec["field"]:
                head = _path_head(spec["field"])
                if expanded:
                    info.expression_names.add(head)
                else:
                    columns.add(head)
                    info.direct_columns.add(head)
            if isinstance(spec.get("jsonataExpression"), str):
                names = expression_names(spec["jsonataExpression"])
                info.expression_names |= names
                columns |= names
            attribute = spec.get("attribute")
            if attribute in unique_ids:
                if "constant" in spec and not columns:
                    info.constant_unique_ids.add(attribute)
                else:
                    info.unique_id_columns.setdefault(attribute, set()).update(columns)
        out.append(info)
    return out


def columns_read(configuration: dict, file_columns: list[str]) -> list[str]:
    """The file's columns the mapping reads, in file order (what ``:suggest-use-cases`` counts)."""
    names: set[str] = set()
    for info in analyse(configuration):
        names |= info.direct_columns | info.expression_names
    return [c for c in file_columns if c in names]


def entity_types(configuration: dict) -> int:
    return len({info.schema for info in analyse(configuration) if info.schema})
