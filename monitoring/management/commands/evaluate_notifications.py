"""Evaluate every integration's notification rules now (what the beat task does every 5 minutes).

Without a broker (the embedded default) nothing schedules the evaluator: run this from cron, or with
``--loop`` beside the web server.
"""
import time

from django.core.management.base import BaseCommand

from monitoring.notifications import evaluator


class Command(BaseCommand):
    help = "Evaluate notification rules and due digests (once, or every --interval seconds with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep evaluating every --interval seconds")
        parser.add_argument("--interval", type=int, default=300)

    def handle(self, *args, loop=False, interval=300, **options):
        while True:
            written = evaluator.evaluate_all()
            self.stdout.write(f"notification decisions recorded: {written}")
            if not loop:
                return
            time.sleep(max(5, interval))
