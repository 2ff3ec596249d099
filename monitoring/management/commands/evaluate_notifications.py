"""Evaluate every integration's notification rules now (what the beat task does every 5 minutes).

Beat (or, on the embedded default, the server's schedule thread) runs it every 5 minutes; this command is for a
run now, or ``--loop`` beside a server started without either.
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
