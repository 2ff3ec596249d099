"""One monitoring store: the inbound rows table becomes ``MonitoringEvent`` with v2 level/code beside the v1
status, the v0.46 inbound view becomes a proxy, and 5-minute rollups are built for the rows already there."""
import django.db.models.deletion
from django.db import migrations, models

from monitoring import codes, rollups  # the live rules: old rows get the same level, code and counters


def backfill(apps, schema_editor):
    """Give existing rows their v2 level and code, then count them into the rollups."""
    Event = apps.get_model("monitoring", "MonitoringEvent")
    Event.objects.filter(v1_status="success").update(level="success")
    Event.objects.filter(v1_status="error").update(level="error")
    Event.objects.filter(v1_status="warning").update(level="warning")
    Event.objects.filter(v1_status="skipped").update(level="info", code="STEP_DISABLED")
    Event.objects.filter(sync_type="api_deprecation").update(code="DEPRECATED_ENDPOINT")
    for v1_code, v2_code in codes.V1_CODE_TO_V2.items():
        Event.objects.filter(error_code=v1_code).update(code=v2_code)
    Event.objects.filter(code="", level="error").update(code=models.F("error_code"))
    Event.objects.exclude(sync_type="api_deprecation").update(use_case_type="inbound")
    last = 0
    while True:
        batch = list(Event.objects.filter(pk__gt=last).order_by("pk")[:5000])
        if not batch:
            break
        rollups.add(batch, connection=schema_editor.connection)
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('erpintegration', '0002_access_token_scopes'),
        ('monitoring', '0002_outbound_and_access_logs'),
    ]

    operations = [
        migrations.RenameModel('InboundMonitoringEvent', 'MonitoringEvent'),
        migrations.RenameField('monitoringevent', 'status', 'v1_status'),
        migrations.AlterField(
            model_name='monitoringevent', name='v1_status',
            field=models.CharField(blank=True, choices=[('success', 'Success'), ('error', 'Error'), ('skipped', 'Skipped'), ('warning', 'Warning')], max_length=16, null=True),  # noqa: E501
        ),
        migrations.AlterField(
            model_name='monitoringevent', name='sync_type',
            field=models.CharField(blank=True, choices=[('entity', 'Entity'), ('meter_reading', 'Meter reading'), ('webhook', 'Webhook'), ('api_deprecation', 'API deprecation')], default='', max_length=32),  # noqa: E501
        ),
        migrations.AlterField(model_name='monitoringevent', name='received_at',
                              field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name='monitoringevent', name='use_case_type',
                            field=models.CharField(blank=True, default='', max_length=16)),
        migrations.AddField(
            model_name='monitoringevent', name='source',
            field=models.CharField(choices=[('inbound', 'Inbound event'), ('outbound', 'Outbound event / delivery'), ('file_proxy', 'File proxy'), ('managed_call', 'Managed call'), ('secure_proxy', 'Secure proxy'), ('poll', 'Poll queue'), ('import', 'ERP import'), ('external', 'External span'), ('system', 'System')], default='inbound', max_length=16),  # noqa: E501
        ),
        migrations.AddField(
            model_name='monitoringevent', name='level',
            field=models.CharField(choices=[('success', 'Success'), ('error', 'Error'), ('warning', 'Warning'), ('info', 'Info')], default='success', max_length=8),  # noqa: E501
        ),
        migrations.AddField(model_name='monitoringevent', name='code',
                            field=models.CharField(blank=True, default='', max_length=64)),
        migrations.AddField(model_name='monitoringevent', name='message',
                            field=models.TextField(blank=True, default='')),
        migrations.AddField(model_name='monitoringevent', name='received_head',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='monitoringevent', name='correlation_head',
                            field=models.BooleanField(default=False)),
        migrations.RemoveIndex(model_name='monitoringevent', name='mon_in_query_idx'),
        migrations.AddIndex(
            model_name='monitoringevent',
            index=models.Index(fields=['organization', 'integration_id', 'completed_at', 'id'], name='mon_v2_page_idx'),
        ),
        migrations.AddIndex(
            model_name='monitoringevent',
            index=models.Index(condition=models.Q(('v1_status__isnull', False)), fields=['organization', 'integration_id', 'completed_at', 'event_id', 'id'], name='mon_v1_page_idx'),  # noqa: E501
        ),
        migrations.CreateModel(
            name='InboundMonitoringEvent',
            fields=[],
            options={'ordering': ['-completed_at', '-event_id', '-id'], 'proxy': True, 'indexes': [], 'constraints': []},
            bases=('monitoring.monitoringevent',),
        ),
        migrations.CreateModel(
            name='MonitoringRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('integration_id', models.CharField(max_length=64)),
                ('grain', models.PositiveSmallIntegerField(default=5)),
                ('bucket', models.DateTimeField()),
                ('use_case_id', models.CharField(max_length=64)),
                ('use_case_type', models.CharField(max_length=16)),
                ('level', models.CharField(max_length=8)),
                ('code', models.CharField(max_length=64)),
                ('v1_status', models.CharField(max_length=16)),
                ('sync_type', models.CharField(max_length=32)),
                ('error_category', models.CharField(max_length=32)),
                ('object_type', models.CharField(max_length=255)),
                ('rows', models.BigIntegerField(default=0)),
                ('received', models.BigIntegerField(default=0)),
                ('correlations', models.BigIntegerField(default=0)),
                ('last_at', models.DateTimeField()),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='erpintegration.organization')),  # noqa: E501
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'integration_id', 'grain', 'bucket', 'use_case_id', 'use_case_type', 'level', 'code', 'v1_status', 'sync_type', 'error_category', 'object_type'), name='mon_rollup_key')],  # noqa: E501
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
