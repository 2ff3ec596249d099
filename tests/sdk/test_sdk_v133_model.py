"""The official v1.33 client (@epilot/sdk integration-toolkit) drives the v1.33 use-case and integration
model and the outbound configuration against a live server; every answer is validated against each
contract that can express it (see run_v133_model.mjs)."""
import pytest

from erpintegration import scopes
from integrations.models import UseCase
from tests.conftest import make_api_persona
from tests.factories import UserFactory

from .harness import assert_sdk_calls_match_contract, calls_of, run_sdk_script


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_the_v133_model(live_server):
    user = UserFactory()
    persona = make_api_persona(created_by=user)
    consumer = make_api_persona(persona.organization, "erp poller", scopes=[scopes.CONSUME])
    stranger = make_api_persona()
    calls = run_sdk_script("run_v133_model.mjs", live_server, persona.token, consumer.token, stranger.token)
    assert_sdk_calls_match_contract(calls)

    created = {c.label: c.body for c in calls_of(calls, "createUseCase") if c.status == 201}
    assert set(created) == {"managed_call", "secure_proxy", "file_proxy", "outbound"}
    assert all(body["changed_by"] == str(user.pk) for body in created.values())
    assert "operation.method" in calls_of(calls, "createUseCase", "bad method")[0].body["message"]
    assert "connector_config.auth.token" in calls_of(calls, "updateIntegration", "literal secret")[0].body["message"]
    for forbidden in (c for c in calls if c.label == "consume-only"):
        assert forbidden.body["code"] == "FORBIDDEN"
    assert not UseCase.objects.filter(organization=persona.organization).exists()  # both deletes cascaded
