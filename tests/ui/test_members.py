"""Members page and its services: invitations, change roles, remove; one admin always stays."""
import pytest

from erpintegration import invitations, tenancy
from erpintegration.exceptions import Conflict, ValidationFailed
from erpintegration.models import Invitation, Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_list_shows_own_members_only(ui_client, org):
    MembershipFactory(organization=org, user=UserFactory(username="colleague"))
    MembershipFactory(user=UserFactory(username="stranger"))
    response = ui_client("admin").get("/settings/members/")
    assert b"colleague" in response.content and b"stranger" not in response.content


def test_inviting_shows_a_one_time_link_and_adds_no_one_yet(ui_client, org):
    response = ui_client("admin").post("/settings/members/", {"email": "n@example.com", "role": "viewer"})
    assert response.status_code == 200
    assert "/invitations/" in response.context["invite_link"]
    assert Membership.objects.filter(organization=org).count() == 1  # the admin only


def test_bad_role_or_email_is_a_form_error(ui_client):
    client = ui_client("admin")
    assert client.post("/settings/members/", {"email": "x@example.com", "role": "owner"}).status_code == 400
    assert client.post("/settings/members/", {"email": "not-an-email", "role": "viewer"}).status_code == 400
    assert not Invitation.objects.exists()


def test_change_role(ui_client, org):
    member = MembershipFactory(organization=org, role="viewer")
    ui_client("admin").post(f"/settings/members/{member.pk}/role/", {"role": "editor"})
    member.refresh_from_db()
    assert member.role == "editor"


def test_last_admin_cannot_be_demoted_or_removed(ui_client, org):
    client = ui_client("admin")
    mine = client.membership
    response = client.post(f"/settings/members/{mine.pk}/role/", {"role": "viewer"}, follow=True)
    assert b"at least one admin" in response.content
    response = client.post(f"/settings/members/{mine.pk}/remove/", follow=True)
    assert b"at least one admin" in response.content
    mine.refresh_from_db()
    assert mine.role == "admin"


def test_remove_member(ui_client, org):
    member = MembershipFactory(organization=org, role="editor")
    ui_client("admin").post(f"/settings/members/{member.pk}/remove/")
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_another_orgs_membership_is_404(ui_client):
    foreign = MembershipFactory(organization=OrganizationFactory(), role="viewer")
    client = ui_client("admin")
    assert client.post(f"/settings/members/{foreign.pk}/role/", {"role": "admin"}).status_code == 404
    assert client.post(f"/settings/members/{foreign.pk}/remove/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "viewer"


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_non_admins_cannot_manage_members(ui_client, org, role):
    member = MembershipFactory(organization=org, role="viewer")
    client = ui_client(role)
    assert client.post("/settings/members/", {"email": "x@example.com", "role": "admin"}).status_code == 403
    assert client.post(f"/settings/members/{member.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"/settings/members/{member.pk}/remove/").status_code == 403
    member.refresh_from_db()
    assert member.role == "viewer"


def test_services_validate_input(org):
    with pytest.raises(ValidationFailed):
        invitations.create_invitation(org, "someone@example.com", "superuser")
    admin = MembershipFactory(organization=org, role="admin")
    with pytest.raises(Conflict):
        tenancy.remove_member(org, admin.pk)
