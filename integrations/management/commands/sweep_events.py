"""Re-enqueue inbound events stored but not finished (what the periodic sweeper does), once."""
from datetime import timedelta

from django.core.management.base import BaseCommand

from integrations.inbound.services.accept import sweep_stale_events


class Command(BaseCommand):
    help = "Re-enqueue inbound events left unprocessed (lost broker message, killed worker)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds an event must have been waiting (default: settings.INBOUND_SWEEP_AFTER_SECONDS)",
        )

    def handle(self, *args, older_than=None, **options):
        age = None if older_than is None else timedelta(seconds=older_than)
        count = sweep_stale_events(age)
        self.stdout.write(f"re-enqueued {count} integration queue(s)")
