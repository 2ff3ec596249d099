"""Members of an organisation, as the UI's admin pages manage them.

Kept out of the views so the rules (valid roles, an organisation always keeps one admin, a new user's
first password is shown once) hold wherever members are managed.
"""
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .exceptions import Conflict, NotFound, ValidationFailed
from .models import Membership, Organization, Role


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
def add_member(organization: Organization, username: str, role: str, email: str = "") -> AddedMember:
    """Give ``username`` the ``role`` in ``organization``; create the user (with a random password) if new."""
    _check_role(role)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed("username is required", details={"field": "username"})
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    initial_password = None
    if user is None:
        initial_password = secrets.token_urlsafe(12)
        user = User(username=username, email=(email or "").strip())
        user.set_password(initial_password)
        user.full_clean(exclude=["password"])
        user.save()
    elif Membership.objects.filter(organization=organization, user=user).exists():
        raise Conflict(f"{username} is already a member of {organization.name}", details={"field": "username"})
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    return AddedMember(membership=membership, initial_password=initial_password)


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


def list_tokens(organization: Organization):
    """The organisation's API tokens, active ones first, newest first."""
    from .models import AccessToken

    return list(
        AccessToken.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
