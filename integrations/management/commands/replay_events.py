"""``manage.py replay_events``: replay every event of an integration matching a filter, with a progress bar.

The same job as the UI's "Replay all matching this filter" (recorded as a ReplayJob), run in this process.
"""
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from erpintegration.lib.ids import parse_uuid
from erpintegration.models import Organization
from integrations.inbound.filters import EventCriteria, matching_events
from integrations.inbound.services import replay_jobs
from integrations.models import EventStatus, Integration, UseCase

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Replay all events of an integration matching a filter (status, use case, time range, correlation id)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug, name or id")
        parser.add_argument("--integration", required=True, help="integration id")
        parser.add_argument("--status", choices=[choice for choice, _ in EventStatus.choices])
        parser.add_argument("--use-case", help="use case id, slug or name")
        parser.add_argument("--since", help="received at or after (ISO 8601)")
        parser.add_argument("--until", help="received at or before (ISO 8601)")
        parser.add_argument("--correlation-id")
        parser.add_argument("--dry-run", action="store_true", help="only count the matching events")

    def handle(self, *args, **options):
        org = Organization.objects.filter(Q(slug=options["org"]) | Q(name=options["org"]) | Q(pk=options["org"])).first()
        if org is None:
            raise CommandError(f"--org: no organisation {options['org']!r}")
        key = parse_uuid(options["integration"])
        integration = Integration.objects.filter(organization=org, pk=key).first() if key else None
        if integration is None:
            raise CommandError(f"--integration: no integration {options['integration']!r} in {org.slug}")
        criteria = EventCriteria(
            status=options.get("status") or "", correlation_id=options.get("correlation_id") or "",
            since=self._moment(options, "since"), until=self._moment(options, "until"),
            use_case_id=self._use_case(integration, options.get("use_case")),
        )
        if options["dry_run"]:
            self.stdout.write(f"{matching_events(integration, criteria).count()} events match")
            return
        job = replay_jobs.start_replay_job(org, integration, criteria, actor="manage.py replay_events", dispatch=False)
        self.stdout.write(f"Replaying {job.total} events of {integration.name} (job {job.pk})")
        self._draw(job)
        job = replay_jobs.run_replay_job(str(job.pk), on_progress=self._draw)
        self.stdout.write("")
        if job is None:
            raise CommandError("the job was already taken by another process")
        if job.status != "done":
            raise CommandError(f"replay failed: {job.message}")
        self.stdout.write(f"Done: {job.replayed} replayed, {job.errors} errors, {job.done - job.replayed - job.errors} ignored")

    def _draw(self, job) -> None:
        filled = int(BAR_WIDTH * job.percent / 100)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        ending = "\n" if not self.stdout.isatty() else ""
        self.stdout.write(f"\r[{bar}] {job.percent:3d}% {job.done}/{job.total}", ending=ending)
        self.stdout.flush()

    @staticmethod
    def _moment(options, key):
        value = options.get(key)
        if not value:
            return None
        moment = parse_datetime(value)
        if moment is None:
            raise CommandError(f"--{key}: not an ISO 8601 date-time: {value!r}")
        return moment

    @staticmethod
    def _use_case(integration, value) -> str:
        if not value:
            return ""
        key = parse_uuid(value)
        use_case = UseCase.objects.filter(integration=integration).filter(
            (Q(pk=key) if key else Q()) | Q(slug=value) | Q(name=value)).first()
        if use_case is None:
            raise CommandError(f"--use-case: no use case {value!r} in this integration")
        return str(use_case.pk)
