"""``manage.py import_use_cases --org ORG FILE [--into INTEGRATION_ID]``: create an integration from an export,
or bring its use cases into an existing one (same slug: a new version; otherwise created)."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from erpintegration.exceptions import ApplicationError
from erpintegration.lib.ids import parse_uuid
from erpintegration.models import Organization
from integrations.models import Integration
from integrations.transfer.services import transfer


class Command(BaseCommand):
    help = "Import use cases exported by export_use_cases (ids remapped; webhooks matched by name)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export (JSON); - reads standard input")
        parser.add_argument("--org", required=True, help="organisation slug, name or id")
        parser.add_argument("--into", help="integration id to import into (default: a new integration)")

    def handle(self, *args, file, **options):
        org = Organization.objects.filter(Q(slug=options["org"]) | Q(name=options["org"]) | Q(pk=options["org"])).first()
        if org is None:
            raise CommandError(f"--org: no organisation {options['org']!r}")
        into = None
        if options.get("into"):
            key = parse_uuid(options["into"])
            into = Integration.objects.filter(organization=org, pk=key).first() if key else None
            if into is None:
                raise CommandError(f"--into: no integration {options['into']!r} in {org.slug}")
        try:
            with (open(file, encoding="utf-8") if file != "-" else self._stdin()) as handle:
                document = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: cannot read the export: {exc}")
        try:
            report = transfer.import_document(org, document, into=into, actor="manage.py import_use_cases")
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"integration {report.integration.name} ({report.integration.pk})")
        self.stdout.write(f"created: {len(report.created)}  updated: {len(report.updated)}")
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")

    @staticmethod
    def _stdin():
        return open(sys.stdin.fileno(), encoding="utf-8", closefd=False)  # noqa: SIM115
