"""``manage.py export_use_cases --org ORG --integration ID [--use-case SLUG ...] [-o FILE]``: one JSON document
with the integration's use cases, for ``import_use_cases`` on another installation. Secrets are never in it."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from erpintegration.lib.ids import parse_uuid
from erpintegration.models import Organization
from integrations.models import Integration, UseCase
from integrations.transfer.services import transfer


class Command(BaseCommand):
    help = "Export an integration's use cases (configuration, samples; never secrets) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug, name or id")
        parser.add_argument("--integration", required=True, help="integration id")
        parser.add_argument("--use-case", action="append", default=[], help="slug or id (repeatable; default all)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        org = Organization.objects.filter(Q(slug=options["org"]) | Q(name=options["org"]) | Q(pk=options["org"])).first()
        if org is None:
            raise CommandError(f"--org: no organisation {options['org']!r}")
        key = parse_uuid(options["integration"])
        integration = Integration.objects.filter(organization=org, pk=key).first() if key else None
        if integration is None:
            raise CommandError(f"--integration: no integration {options['integration']!r} in {org.slug}")
        ids = []
        for value in options["use_case"]:
            pk = parse_uuid(value)
            use_case = UseCase.objects.filter(integration=integration).filter(
                (Q(pk=pk) if pk else Q()) | Q(slug=value)).first()
            if use_case is None:
                raise CommandError(f"--use-case: no use case {value!r} in this integration")
            ids.append(use_case.pk)
        document = transfer.export_integration(org, integration, ids or None)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"exported {len(document['use_cases'])} use case(s) to {options['output']}")
        else:
            self.stdout.write(text, ending="")
        for note in document["notes"]:
            self.stderr.write(f"note: {note}")
