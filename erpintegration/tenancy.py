"""Organisation and user management used by commands, the UI and tests."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from .models import Membership, Organization, Role


def get_or_create_organization(name_or_slug: str) -> Organization:
    slug = slugify(name_or_slug) or "org"
    org = Organization.objects.filter(slug=slug).first() or Organization.objects.filter(id=name_or_slug).first()
    if org:
        return org
    return Organization.objects.create(slug=slug, name=name_or_slug)


@transaction.atomic
def create_user(org: Organization, username: str, password: str, role: str, email: str = "", staff=False):
    """Create (or update the password and role of) a user and its membership in ``org``."""
    if role not in Role.values:
        raise ValueError(f"role must be one of {', '.join(Role.values)}")
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    if staff:
        user.is_staff = True
        user.is_superuser = True
    user.save()
    Membership.objects.update_or_create(user=user, organization=org, defaults={"role": role})
    return user


def organizations_of(user) -> list[Organization]:
    return [m.organization for m in Membership.objects.filter(user=user).select_related("organization")]
