"""Token scopes: default tokens keep full access; a narrower token gets 403 with the error body."""
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import BearerTokenAuthentication, HasOrganization
from erpintegration.models import AccessToken
from erpintegration.tokens import issue_token
from tests.factories import OrganizationFactory


class ConsumeOnlyView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasOrganization, scopes.requires(scopes.CONSUME)]

    def get(self, request):
        from rest_framework.response import Response

        return Response({"ok": True})


class ByMethodView(ConsumeOnlyView):
    permission_classes = [HasOrganization, scopes.ScopePermission]
    required_scopes_by_method = {"GET": (scopes.VIEW,), "POST": (scopes.MANAGE,)}

    def post(self, request):
        return self.get(request)


def call(view, token, method="get"):
    factory = APIRequestFactory()
    request = getattr(factory, method)("/x", HTTP_AUTHORIZATION=f"Bearer {token}")
    return view.as_view()(request)


@pytest.mark.django_db
def test_default_token_has_every_scope():
    issued = issue_token(OrganizationFactory(), "erp")
    assert issued.token.scopes == list(scopes.ALL_SCOPES)
    assert call(ConsumeOnlyView, issued.plaintext).status_code == 200


@pytest.mark.django_db
def test_narrow_token_gets_403_with_error_body():
    issued = issue_token(OrganizationFactory(), "viewer", scopes=[scopes.VIEW])
    response = call(ConsumeOnlyView, issued.plaintext)
    assert response.status_code == 403
    assert response.data["code"] == "FORBIDDEN"
    assert "integration:consume" in response.data["message"]


@pytest.mark.django_db
def test_scopes_by_method():
    issued = issue_token(OrganizationFactory(), "viewer", scopes=[scopes.VIEW])
    assert call(ByMethodView, issued.plaintext).status_code == 200
    assert call(ByMethodView, issued.plaintext, "post").status_code == 403


@pytest.mark.django_db
def test_unknown_or_empty_scopes_are_refused():
    org = OrganizationFactory()
    with pytest.raises(ValueError, match="unknown scope 'integration:admin'"):
        issue_token(org, "x", scopes=["integration:admin"])
    with pytest.raises(ValueError, match="at least one scope"):
        issue_token(org, "x", scopes=[])
    assert not AccessToken.objects.filter(organization=org).exists()


@pytest.mark.django_db
def test_create_token_command_takes_scopes(capsys):
    org = OrganizationFactory()
    call_command("create_token", org=org.slug, name="poller", scopes="integration:consume")
    plaintext = capsys.readouterr().out.strip().splitlines()[-1]
    token = AccessToken.objects.get(id=plaintext.split(".")[0])
    assert token.scopes == [scopes.CONSUME]
    with pytest.raises(CommandError, match="unknown scope"):
        call_command("create_token", org=org.slug, name="bad", scopes="nope")


@pytest.mark.django_db
def test_existing_operations_still_answer_a_default_token():
    issued = issue_token(OrganizationFactory(), "erp")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert client.get("/v1/integrations").status_code == 200
