from django.core.management.base import BaseCommand

from erpintegration.tenancy import get_or_create_organization
from erpintegration.tokens import issue_token


class Command(BaseCommand):
    help = "Create an API access token for an organisation (created if needed). The token is the last line."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug, name or id")
        parser.add_argument("--name", required=True, help="a name for the token")

    def handle(self, *args, org, name, **options):
        organization = get_or_create_organization(org)
        issued = issue_token(organization, name)
        self.stderr.write(f"Token {issued.token.id} for organisation {organization.slug} (orgId {organization.id}):")
        self.stdout.write(issued.plaintext)
