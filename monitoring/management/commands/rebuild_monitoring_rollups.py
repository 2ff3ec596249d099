"""Rebuild the monitoring rollups from the rows (after a bulk import or a manual repair of the store).

The write path keeps the rollups exact; this recounts everything in batches inside one transaction.
"""
from django.core.management.base import BaseCommand
from django.db import transaction

from monitoring import rollups
from monitoring.models import MonitoringEvent, MonitoringRollup


class Command(BaseCommand):
    help = "Recount MonitoringRollup from MonitoringEvent rows."

    def handle(self, *args, **options):
        with transaction.atomic():
            MonitoringRollup.objects.all().delete()
            last, total = 0, 0
            while True:
                batch = list(MonitoringEvent.objects.filter(pk__gt=last).order_by("pk")[:5000])
                if not batch:
                    break
                rollups.add(batch)
                last, total = batch[-1].pk, total + len(batch)
        self.stdout.write(f"rollups rebuilt from {total} rows")
