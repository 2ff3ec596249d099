"""Empty the recycle bin: hard-delete entities soft-deleted more than the retention period ago."""
from django.core.management.base import BaseCommand

from entities.services import RETENTION_DAYS, purge_expired_deleted_entities


class Command(BaseCommand):
    help = "Purge entities soft-deleted more than --days (default 30) ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        if days < 0:
            self.stderr.write("--days must be >= 0")
            return
        purged = purge_expired_deleted_entities(retention_days=days)
        self.stdout.write(f"Purged {purged} entities deleted more than {days} days ago")
