import secrets
from pathlib import Path

from django.core.management.base import BaseCommand

from erpintegration.models import Organization, Role
from erpintegration.tenancy import create_user, get_or_create_organization


class Command(BaseCommand):
    help = "On the very first start: create an organisation and an admin user, and say how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")
        parser.add_argument("--repeat-file", help="also write the banner here (mode 600) for the server to repeat "
                                                  "below its start-up output; it deletes the file")

    def handle(self, *args, port, repeat_file=None, **options):
        if Organization.objects.exists():
            self.stdout.write(f"erpintegration: serving on http://127.0.0.1:{port}/ (log in with your user)")
            return
        org = get_or_create_organization("default")
        password = secrets.token_urlsafe(12)
        create_user(org, "admin", password, Role.ADMIN, staff=True)
        base = f"http://127.0.0.1:{port}"
        banner = "\n".join(
                [
                    "",
                    "=" * 72,
                    "First start: created organisation 'default' and an admin user.",
                    f"  Log in at   {base}/login/",
                    "  username    admin",
                    f"  password    {password}      (shown only at this first start)",
                    "",
                    "API token: create one in the UI under 'Access tokens', or run",
                    "  .venv/bin/python manage.py create_token --org default --name my-erp",
                    f"and call the API with  curl -H 'Authorization: Bearer <token>' {base}/v1/integrations",
                    f"API documentation: {base}/docs",
                    "=" * 72,
                    "",
                ]
        )
        self.stdout.write(banner)
        if repeat_file:
            path = Path(repeat_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(banner)
