"""Load what a mapping may read besides its payload (``MappingEnvironment``) for one integration.

The one loader for workers, the simulation API and the UI's live preview, so all three see the same
values. Secrets stay out: values stored encrypted, or declared ``SecretString``, are simply not loaded
(``env_var_ref`` then sees the key as missing). The environment values belong to the file proxy app's
store; they are read through the integration's reverse relation, so this module imports nothing from it.
"""
from __future__ import annotations

from integrations.mapping.environment import MappingEnvironment, bindings_for
from integrations.models import Integration, PortalConfig

SECRET_TYPE = "SecretString"


def load_mapping_environment(integration: Integration | None, organization=None) -> MappingEnvironment:
    """Non-secret values and maps of ``integration`` (when given) and the portals of its organisation."""
    org_id = integration.organization_id if integration is not None else getattr(organization, "pk", None)
    values: dict[str, str] = {}
    maps: dict[str, dict] = {}
    if integration is not None:
        secret_keys = {item.get("key") for item in integration.environment_config or []
                       if isinstance(item, dict) and item.get("type") == SECRET_TYPE}
        for key, value in integration.environment_values.filter(is_secret=False).values_list("key", "value"):
            if key not in secret_keys:
                values[key] = value
        maps = {item["key"]: item.get("value") or {} for item in integration.maps or []
                if isinstance(item, dict) and isinstance(item.get("key"), str)}
    portals = tuple(portal_as_dict(p) for p in PortalConfig.objects.filter(organization_id=org_id)) if org_id else ()
    return MappingEnvironment(values=values, maps=maps, portals=portals)


def portal_as_dict(portal: PortalConfig) -> dict:
    """The portal as ``portal_ref`` filters and JSONata expressions see it."""
    created = portal.portal_created_at
    return {
        "portal_id": portal.portal_id,
        "origin": portal.origin,
        "name": portal.name,
        "domain": portal.domain,
        "enabled": portal.enabled,
        "is_dummy": portal.is_dummy,
        "is_epilot_domain": portal.is_epilot_domain,
        "_created_at": created.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if created else None,
    }


def expression_bindings(text: str, integration: Integration) -> dict | None:
    """The bindings of one expression run outside the inbound engine (outbound mappings, and later event
    filters and body templates): loads the environment only when the text reads ``$env``."""
    environment = load_mapping_environment(integration) if "$env" in (text or "") else None
    return bindings_for(text or "", environment=environment)
