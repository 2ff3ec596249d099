"""Golden mapping cases: ``golden/<case>/`` holds ``configuration.json``, ``input.json`` or ``input.xml``,
``expected.json`` and optionally ``case.json``:

* ``object_type``: run ``map_v1`` (simulateMapping) instead of ``map_inbound``;
* ``context``: ``{org_id, integration_id, file_proxy_base_url}`` to run with a runtime context;
* ``xfail_engines``: ``{engine: reason}`` known wrong answers of an engine (strict expected failures);
* ``environment``: ``{values, maps, portals}``: what ``$env``, ``env_var_ref`` and ``portal_ref`` read.

``expected.json`` is the ``MappingSimulationResponse`` (plus ``runtime`` with prune scopes and modes when
the case checks them), or ``{"error": {"code", "path", "message"?, "jsonata_code"?}}``.
Write the expected file of a new case with ``python -m tests.integrations.mapping.golden <case>`` and
review it by hand before committing.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from functools import partial
from pathlib import Path

from integrations.mapping.engine import RuntimeContext, map_inbound, map_v1
from integrations.mapping.environment import MappingEnvironment
from integrations.mapping.file_proxy import download_url
from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError, MappingResult

GOLDEN = Path(__file__).parent / "golden"


def case_names() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "configuration.json").exists())


def case_meta(name: str) -> dict:
    path = GOLDEN / name / "case.json"
    return json.loads(path.read_text()) if path.exists() else {}


def run_case(name: str) -> dict:
    folder = GOLDEN / name
    meta = case_meta(name)
    configuration = json.loads((folder / "configuration.json").read_text())
    if (folder / "input.xml").exists():
        text, fmt = (folder / "input.xml").read_text(), "xml"
    else:
        text, fmt = (folder / "input.json").read_text(), "json"
    try:
        data = parse_payload(text, fmt)
        if "object_type" in meta:
            result = map_v1(configuration, meta["object_type"], data)
        else:
            environment = meta.get("environment")
            result = map_inbound(configuration, data, _context(meta.get("context")),
                                 environment=MappingEnvironment(
                                     values=environment.get("values", {}), maps=environment.get("maps", {}),
                                     portals=tuple(environment.get("portals", []))) if environment else None)
    except MappingError as exc:
        return {"error": _error_view(exc)}
    out = result.to_contract()
    if meta.get("internal"):
        out["runtime"] = _runtime_view(result)
    return out


def _context(spec: dict | None) -> RuntimeContext | None:
    if spec is None:
        return None
    builder = partial(download_url, spec["file_proxy_base_url"], spec["org_id"], spec["integration_id"])
    return RuntimeContext(spec["org_id"], spec["integration_id"], builder)


def _error_view(exc: MappingError) -> dict:
    view = {"code": exc.code, "path": exc.details.get("path")}
    if exc.code == "JSONATA_ERROR":
        view["jsonata_code"] = exc.details.get("jsonata", {}).get("code")
    else:
        view["message"] = exc.message
    return view


def _runtime_view(result: MappingResult) -> dict:
    return {
        "entity_modes": [u.mode for u in result.entity_updates],
        "reading_modes": [[u.mode, u.reading_matching, u.scope_source] for u in result.meter_readings_updates],
        "prune_scopes": [dataclasses.asdict(p) for p in result.prune_scopes],
        "meter_reading_prunes": [dataclasses.asdict(p) for p in result.meter_reading_prunes],
    }


if __name__ == "__main__":  # write expected.json for the named cases (review before committing)
    for case in sys.argv[1:]:
        output = run_case(case)
        (GOLDEN / case / "expected.json").write_text(json.dumps(output, indent=2, ensure_ascii=False) + "\n")
        print(case, json.dumps(output, ensure_ascii=False))
