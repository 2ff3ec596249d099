"""Organisations and their members, as commands, the UI and tests manage them.

The member rules live here so they hold wherever members are managed: valid roles, an organisation always
keeps one admin, a new user's first password is shown once."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from erpintegration.exceptions import Conflict, NotFound, ValidationFailed
from erpintegration.models import Membership, Organization, Role


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


@dataclass(frozen=True)
class AddedMember:
    membership: Membership
    initial_password: str | None  # set only when the user was created here; shown once


def list_members(organization: Organization) -> list[Membership]:
    return list(
        Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
    )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(f"role must be one of {', '.join(Role.values)}", details={"field": "role"})


@transaction.atomic
def _membership(organization: Organization, membership_id) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organization=organization, pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such member")
    return membership


def _other_admins(organization: Organization, membership: Membership) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.ADMIN).exclude(pk=membership.pk).count()
    )


@transaction.atomic
def change_role(organization: Organization, membership_id, role: str) -> Membership:
    _check_role(role)
    membership = _membership(organization, membership_id)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(organization, membership):
        raise Conflict("An organisation needs at least one admin; make someone else admin first.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(organization: Organization, membership_id) -> Membership:
    membership = _membership(organization, membership_id)
    if membership.role == Role.ADMIN and not _other_admins(organization, membership):
        raise Conflict("An organisation needs at least one admin; the last admin cannot be removed.")
    membership.delete()
    return membership
