import pytest
from django.core.management import call_command
from django.utils import timezone

from erpintegration.models import AccessToken
from erpintegration.tokens import issue_token, revoke_token, verify_token
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_issued_token_verifies_and_records_last_use():
    org = OrganizationFactory()
    issued = issue_token(org, "erp")
    assert issued.token.id.startswith("api_")
    assert issued.plaintext.startswith(issued.token.id + ".")
    assert issued.plaintext.split(".", 1)[1] not in issued.token.secret_hash  # stored hashed
    token = verify_token(issued.plaintext)
    assert token == issued.token
    assert AccessToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic abc", "Bearer api_nope.secret", "Bearer garbage", "Bearer a b"],
)
def test_bad_credentials_answer_401_with_code(anonymous, header):
    if header is not None:
        anonymous.credentials(HTTP_AUTHORIZATION=header)
    response = anonymous.get("/v1/integrations")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert response.json()["message"]


def test_wrong_secret_for_existing_id_is_401(owner, anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {owner.token_id}.wrong")
    assert anonymous.get("/v1/integrations").status_code == 401


def test_revoked_token_is_401(owner):
    assert owner.client.get("/v1/integrations").status_code == 200
    assert revoke_token(owner.organization, owner.token_id)
    response = owner.client.get("/v1/integrations")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert AccessToken.objects.get(pk=owner.token_id).revoked_at <= timezone.now()


def test_create_token_command_prints_token_last(capsys):
    call_command("create_token", "--org", "acme", "--name", "sap")
    out = capsys.readouterr().out.strip().splitlines()
    token = verify_token(out[-1])
    assert token is not None and token.organization.slug == "acme" and token.name == "sap"


def test_create_user_command_creates_membership(capsys):
    call_command("create_user", "--org", "acme", "--username", "ann", "--password", "s3cret-pass", "--role", "viewer")
    from erpintegration.models import Membership

    membership = Membership.objects.get(user__username="ann")
    assert membership.role == "viewer" and membership.organization.slug == "acme"
    assert membership.user.check_password("s3cret-pass")
