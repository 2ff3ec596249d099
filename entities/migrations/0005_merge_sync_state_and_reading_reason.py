from django.db import migrations


class Migration(migrations.Migration):
    """Joins the two 0004 migrations that landed on main together (entity sync state, reading reason)."""

    dependencies = [
        ("entities", "0004_entity_sync_state"),
        ("entities", "0004_meter_reading_reason_as_written"),
    ]

    operations = []
