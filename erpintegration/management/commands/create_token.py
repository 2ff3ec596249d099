from django.core.management.base import BaseCommand, CommandError

from erpintegration.scopes import ALL_SCOPES
from erpintegration.tenancy import get_or_create_organization
from erpintegration.tokens import issue_token


class Command(BaseCommand):
    help = "Create an API access token for an organisation (created if needed). The token is the last line."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug, name or id")
        parser.add_argument("--name", required=True, help="a name for the token")
        parser.add_argument(
            "--scopes", default=None,
            help=f"comma-separated scopes (default: all of {', '.join(ALL_SCOPES)})",
        )

    def handle(self, *args, org, name, scopes=None, **options):
        organization = get_or_create_organization(org)
        try:
            wanted = None if scopes is None else [s.strip() for s in scopes.split(",") if s.strip()]
            issued = issue_token(organization, name, scopes=wanted)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Token {issued.token.id} for organisation {organization.slug} (orgId {organization.id}):")
        self.stdout.write(issued.plaintext)
