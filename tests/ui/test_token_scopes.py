"""Scopes chosen on the tokens page: all by default, a consume-only token creatable, none is an error."""
import pytest

from erpintegration import scopes
from erpintegration.models import AccessToken

pytestmark = pytest.mark.django_db


def test_every_scope_is_ticked_by_default(ui_client):
    response = ui_client("admin").get("/settings/tokens/")
    for scope in scopes.ALL_SCOPES:
        assert f'value="{scope}"'.encode() in response.content
    assert response.content.count(b"checked") >= len(scopes.ALL_SCOPES)


def test_a_consume_only_token(ui_client):
    client = ui_client("admin")
    response = client.post("/settings/tokens/", {"name": "SAP poller", "scopes": [scopes.CONSUME],
                                                 "scopes_shown": "True"})
    assert response.status_code == 200
    token = response.context["issued"].token
    assert token.scopes == [scopes.CONSUME]
    listed = client.get("/settings/tokens/")
    assert b"<code>integration:consume</code>" in listed.content


def test_no_scope_ticked_is_an_error_at_the_field(ui_client):
    response = ui_client("admin").post("/settings/tokens/", {"name": "nothing", "scopes_shown": "True"})
    assert response.status_code == 400
    assert b"Choose at least one scope." in response.content
    assert not AccessToken.objects.exists()
