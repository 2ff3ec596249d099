"""Access tokens page: create (secret shown once), list with last use, revoke; admin only."""
import pytest

from erpintegration.models import AccessToken
from erpintegration.tokens import issue_token, verify_token
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_it_works(ui_client, org):
    client = ui_client("admin")
    response = client.post("/settings/tokens/", {"name": "SAP middleware"})
    assert response.status_code == 200
    plaintext = response.context["issued"].plaintext
    assert plaintext.encode() in response.content
    token = verify_token(plaintext)
    assert token.organization == org and token.name == "SAP middleware" and token.created_by == client.user

    again = client.get("/settings/tokens/")
    assert plaintext.encode() not in again.content
    assert token.id.encode() in again.content and b"never" not in again.content  # just used by verify_token


def test_create_without_a_name_is_a_form_error(ui_client):
    response = ui_client("admin").post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not AccessToken.objects.exists()


def test_list_shows_only_own_tokens_with_last_use(ui_client, org):
    mine = issue_token(org, "mine").token
    theirs = issue_token(OrganizationFactory(), "theirs").token
    response = ui_client("admin").get("/settings/tokens/")
    assert mine.id.encode() in response.content and theirs.id.encode() not in response.content
    assert b"never" in response.content


def test_revoke(ui_client, org):
    issued = issue_token(org, "old")
    response = ui_client("admin").post(f"/settings/tokens/{issued.token.id}/revoke/", follow=True)
    assert b"revoked" in response.content
    assert verify_token(issued.plaintext) is None


def test_revoking_another_orgs_token_does_nothing(ui_client):
    issued = issue_token(OrganizationFactory(), "theirs")
    response = ui_client("admin").post(f"/settings/tokens/{issued.token.id}/revoke/", follow=True)
    assert b"does not exist or is already revoked" in response.content
    assert verify_token(issued.plaintext) is not None


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_non_admins_cannot_create_or_revoke(ui_client, org, role):
    issued = issue_token(org, "keep")
    client = ui_client(role)
    assert client.post("/settings/tokens/", {"name": "x"}).status_code == 403
    assert client.post(f"/settings/tokens/{issued.token.id}/revoke/").status_code == 403
    assert AccessToken.objects.count() == 1 and verify_token(issued.plaintext) is not None


def test_revoke_needs_post(ui_client, org):
    issued = issue_token(org, "keep")
    assert ui_client("admin").get(f"/settings/tokens/{issued.token.id}/revoke/").status_code == 405
