from django.core.management.base import BaseCommand, CommandError

from erpintegration.models import Role
from erpintegration.tenancy import create_user, get_or_create_organization


class Command(BaseCommand):
    help = "Create a user (or reset its password) with a role in an organisation (created if needed)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--staff", action="store_true", help="also grant Django admin access")

    def handle(self, *args, org, username, password, role, email, staff, **options):
        if len(password) < 8:
            raise CommandError("password must have at least 8 characters")
        organization = get_or_create_organization(org)
        create_user(organization, username, password, role, email=email, staff=staff)
        self.stdout.write(f"User {username} is {role} in {organization.slug} (orgId {organization.id})")
