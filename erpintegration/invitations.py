"""Invitations: how a person joins an organisation (the admin never picks an existing account).

An admin invites an email address with a role and gets a link (shown once) to send. Whoever opens it while
logged in joins with their own account; without an account they create one on the spot. A link works once
and for ``INVITATION_TTL_DAYS``. Admins therefore learn nothing about which usernames exist elsewhere.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from erpintegration.exceptions import Conflict, NotFound, ValidationFailed
from erpintegration.models import Invitation, Membership, Organization, Role


@dataclass
class CreatedInvitation:
    invitation: Invitation
    token: str  # the secret part of the link; shown once


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(organization: Organization, email: str, role: str, invited_by=None) -> CreatedInvitation:
    if role not in Role.values:
        raise ValidationFailed(f"role must be one of {', '.join(Role.values)}", details={"field": "role"})
    token = secrets.token_urlsafe(32)
    ttl = timedelta(days=getattr(settings, "INVITATION_TTL_DAYS", 7))
    invitation = Invitation.objects.create(organization=organization, email=email.strip(), role=role,
                                           token_hash=_hash(token), invited_by=invited_by,
                                           expires_at=timezone.now() + ttl)
    return CreatedInvitation(invitation, token)


def pending_invitation(token: str) -> Invitation:
    """The open invitation of ``token``; NotFound when unknown, used or expired (all look the same)."""
    invitation = (Invitation.objects.select_related("organization")
                  .filter(token_hash=_hash(token or ""), accepted_at__isnull=True, expires_at__gt=timezone.now())
                  .first())
    if invitation is None:
        raise NotFound("This invitation link is unknown, was used already or has expired")
    return invitation


@transaction.atomic
def accept_invitation(token: str, user) -> Membership:
    invitation = pending_invitation(token)
    Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        raise Conflict(f"You are already a member of {invitation.organization.name}")
    membership = Membership.objects.create(organization=invitation.organization, user=user, role=invitation.role)
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise NotFound("This invitation link was used already")
    return membership


@transaction.atomic
def accept_with_new_account(token: str, username: str, password: str) -> Membership:
    """Create the invited person's account (email from the invitation), then accept."""
    invitation = pending_invitation(token)
    User = get_user_model()
    user = User(username=(username or "").strip(), email=invitation.email)
    user.set_password(password)
    user.full_clean(exclude=["password"])  # a taken username is reported to the invited person only
    user.save()
    return accept_invitation(token, user)
