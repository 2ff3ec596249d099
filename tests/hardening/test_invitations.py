"""Issue 10.7: members join by an invitation link the invited person accepts; an admin can no longer add an
existing user of another organisation by username (nor learn which usernames exist)."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from erpintegration.models import Invitation, Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_client(org):
    admin = MembershipFactory(organization=org, role="admin").user
    client = Client()
    client.force_login(admin)
    return client


def invite(client, email="ada@example.com", role="editor"):
    response = client.post("/settings/members/", {"email": email, "role": role})
    assert response.status_code == 200, response.content
    [link] = re.findall(rb'value="(http[^"]*/invitations/[^"]+/)"', response.content)
    return response, link.decode().split("testserver", 1)[1]


def test_an_existing_user_of_another_organisation_is_not_added_by_username():
    org = OrganizationFactory()
    stranger = MembershipFactory(role="admin", user=UserFactory(username="stranger")).user
    client = admin_client(org)
    response = client.post("/settings/members/", {"username": "stranger", "role": "admin"})
    assert not Membership.objects.filter(organization=org, user=stranger).exists()
    assert b"stranger" not in response.content  # nothing about the username comes back
    missing = client.post("/settings/members/", {"username": "nobody-has-this", "role": "admin"})
    assert response.status_code == missing.status_code == 400


def test_an_invitation_is_accepted_by_the_invited_existing_user():
    org = OrganizationFactory(name="Stadtwerke")
    _, path = invite(admin_client(org), role="editor")
    assert not Membership.objects.filter(organization=org).exclude(role="admin").exists()  # nothing yet
    invited = UserFactory(username="ada")
    client = Client()
    client.force_login(invited)
    page = client.get(path)
    assert page.status_code == 200 and b"Stadtwerke" in page.content
    assert client.post(path).status_code == 302
    assert Membership.objects.get(organization=org, user=invited).role == "editor"
    assert client.post(path).status_code == 404  # used once
    assert Invitation.objects.get().accepted_by == invited


def test_a_new_person_creates_an_account_while_accepting(client):
    org = OrganizationFactory()
    _, path = invite(admin_client(org), email="new@example.com", role="viewer")
    assert b"Create an account" in client.get(path).content
    response = client.post(path, {"username": "newbie", "password1": "a-long-Passphrase-42",
                                  "password2": "a-long-Passphrase-42"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "new@example.com"
    assert Membership.objects.get(organization=org, user=user).role == "viewer"


def test_unknown_and_expired_links_are_404(client, settings):
    org = OrganizationFactory()
    _, path = invite(admin_client(org))
    assert client.get("/invitations/not-a-real-token/").status_code == 404
    Invitation.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.get(path).status_code == 404


def test_only_the_hash_of_the_link_is_stored():
    org = OrganizationFactory()
    _, path = invite(admin_client(org))
    token = path.strip("/").split("/")[-1]
    assert token not in str(Invitation.objects.values().get())
