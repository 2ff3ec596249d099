"""GIN jsonb_path_ops index on Entity.attributes for unique-identifier lookups by containment (@>).

PostgreSQL only: SQLite has no such index (lookups there stay correct, not fast). Built CONCURRENTLY is not
possible inside a migration transaction; on a large existing table run it by hand first (IF NOT EXISTS).
"""
from django.db import migrations

INDEX = "entities_entity_attributes_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON entities_entity USING gin (attributes jsonb_path_ops) WITH (fastupdate = off)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_entity_store")]

    operations = [migrations.RunPython(create_index, drop_index)]
