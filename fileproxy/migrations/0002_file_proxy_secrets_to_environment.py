"""File-proxy OAuth secrets typed into configurations as literals move into encrypted environment values.

Each literal ``auth.client_secret``/``auth.password`` becomes a ``SecretString`` variable declared on the
integration (``file_proxy_<slug>_<field>``), its value encrypted, and the configuration (and every history
snapshot holding the same literal) then references it as ``{{env.<key>}}``.
"""
import re

from django.db import migrations

from erpintegration.lib import crypto

SECRET_KEYS = ("client_secret", "password")
REFERENCE = re.compile(r"^\\?\{\{\s*env\.[A-Za-z0-9_.\-]+\s*\}\}$")


def _env_key(use_case, field, taken):
    base = re.sub(r"[^A-Za-z0-9_]+", "_", f"file_proxy_{use_case.slug or use_case.pk}_{field}").strip("_")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def move_literal_secrets(apps, schema_editor):
    UseCase = apps.get_model("integrations", "UseCase")
    UseCaseHistory = apps.get_model("integrations", "UseCaseHistory")
    EnvironmentValue = apps.get_model("fileproxy", "EnvironmentValue")
    for use_case in UseCase.objects.filter(type="file_proxy").select_related("integration"):
        auth = (use_case.configuration or {}).get("auth")
        if not isinstance(auth, dict):
            continue
        integration = use_case.integration
        declared = [item for item in (integration.environment_config or []) if isinstance(item, dict)]
        taken = {item.get("key") for item in declared}
        replaced = {}
        for field in SECRET_KEYS:
            value = auth.get(field)
            if not isinstance(value, str) or REFERENCE.match(value.strip()):
                continue
            key = _env_key(use_case, field, taken)
            taken.add(key)
            declared.append({"key": key, "label": f"{use_case.name}: {field}", "type": "SecretString"})
            EnvironmentValue.objects.update_or_create(
                integration=integration, key=key,
                defaults={"organization_id": integration.organization_id, "value": crypto.encrypt(value),
                          "is_secret": True},
            )
            auth[field] = "{{env.%s}}" % key
            replaced[value] = auth[field]
        if not replaced:
            continue
        integration.environment_config = declared
        integration.save(update_fields=["environment_config"])
        use_case.save(update_fields=["configuration"])
        for snapshot in UseCaseHistory.objects.filter(use_case=use_case):
            old_auth = (snapshot.configuration or {}).get("auth")
            if not isinstance(old_auth, dict):
                continue
            changed = False
            for field in SECRET_KEYS:
                if old_auth.get(field) in replaced:
                    old_auth[field] = replaced[old_auth[field]]
                    changed = True
                elif isinstance(old_auth.get(field), str) and not REFERENCE.match(old_auth[field].strip()):
                    old_auth[field] = "[removed: secrets are kept in environment values]"
                    changed = True
            if changed:
                snapshot.save(update_fields=["configuration"])


class Migration(migrations.Migration):
    dependencies = [
        ("fileproxy", "0001_environment_values"),
        ("integrations", "0003_outbound_webhooks_catalog_deliveries"),
    ]

    operations = [migrations.RunPython(move_literal_secrets, migrations.RunPython.noop)]
