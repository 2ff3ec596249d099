"""What a mapping may read besides its payload: environment values, key/value maps and portals.

Pure data handed in by the service layer (``integrations.setup.services.mapping_environment``), so the engine
stays free of Django and the simulation sees exactly what a worker sees. Secrets never get here: the
loader leaves ``SecretString`` values out, so a secret key and a missing key look the same (undefined).

``bindings_for`` is the one place that builds the ``$`` bindings of an expression (``$env``, ``$root``);
the helper functions ``$mapValue``/``$mapKey`` are compiled into every expression that names them
(``helpers.py``), so inbound fields, outbound mappings and filters all get the same ones.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from integrations.mapping.jsonata import UNDEFINED


@dataclass(frozen=True)
class MappingEnvironment:
    """``values``: non-secret environment values (strings); ``maps``: the integration's maps by key
    (JSON objects); ``portals``: the organisation's portal configurations as plain dicts."""

    values: Mapping[str, str] = field(default_factory=dict)
    maps: Mapping[str, dict] = field(default_factory=dict)
    portals: tuple[dict, ...] = ()

    def env(self) -> dict[str, Any]:
        """``$env``: every non-secret value, maps as JSON objects (a map wins over a value of its key)."""
        return {**self.values, **self.maps}

    def lookup(self, key: str) -> Any:
        if key in self.maps:
            return self.maps[key]
        return self.values.get(key, UNDEFINED)


EMPTY_ENVIRONMENT = MappingEnvironment()


def bindings_for(text: str, *, root: Any = UNDEFINED, environment: MappingEnvironment | None = None
                 ) -> dict[str, Any] | None:
    """The bindings ``text`` uses: ``$root`` (the original payload) and ``$env``; None when it uses none.

    Only what the text names is bound (converting ``$env`` for the engine costs time per evaluation).
    """
    bindings: dict[str, Any] = {}
    if root is not UNDEFINED and "$root" in text:
        bindings["root"] = root
    if "$env" in text:
        bindings["env"] = (environment or EMPTY_ENVIRONMENT).env()
    return bindings or None
