"""Environment values: declared keys only, secrets encrypted at rest and never shown."""
import pytest
from django.contrib.auth import get_user_model

from erpintegration.exceptions import ApplicationError, ValidationFailed
from fileproxy.environment import (
    delete_environment_value,
    describe_environment,
    load_environment,
    set_environment_value,
)
from fileproxy.models import EnvironmentValue
from tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

SECRET = "very-secret-password-123"


@pytest.fixture
def integration():
    return IntegrationFactory(environment_config=[
        {"key": "base_url", "label": "Base URL", "type": "String"},
        {"key": "password", "label": "Password", "type": "SecretString"},
    ])


def test_set_and_load(integration):
    set_environment_value(integration, "base_url", "https://erp")
    set_environment_value(integration, "password", SECRET)
    env = load_environment(integration)
    assert env.values == {"base_url": "https://erp", "password": SECRET}
    assert env.secret_keys == {"password"} and env.public_values() == {"base_url": "https://erp"}
    row = EnvironmentValue.objects.get(key="password")
    assert row.is_secret and SECRET not in row.value
    assert row.organization_id == integration.organization_id


def test_setting_again_replaces_the_value(integration):
    set_environment_value(integration, "password", "one")
    set_environment_value(integration, "password", "two")
    assert EnvironmentValue.objects.count() == 1 and load_environment(integration).values["password"] == "two"


def test_undeclared_key_or_non_string_value_is_refused(integration):
    with pytest.raises(ValidationFailed, match="'other' is not declared"):
        set_environment_value(integration, "other", "x")
    with pytest.raises(ValidationFailed, match="must be a string"):
        set_environment_value(integration, "base_url", 5)
    assert not EnvironmentValue.objects.exists()


def test_describe_never_includes_secret_values(integration):
    set_environment_value(integration, "password", SECRET)
    described = describe_environment(integration)
    assert described == [
        {"key": "base_url", "label": "Base URL", "type": "String", "is_set": False, "value": None},
        {"key": "password", "label": "Password", "type": "SecretString", "is_set": True, "value": None},
    ]


def test_values_are_per_integration(integration):
    other = IntegrationFactory(environment_config=integration.environment_config)
    set_environment_value(integration, "base_url", "mine")
    assert load_environment(other).values == {}
    assert delete_environment_value(integration, "base_url") and load_environment(integration).values == {}


def test_undecryptable_secret_is_a_configuration_error(integration):
    set_environment_value(integration, "password", SECRET)
    EnvironmentValue.objects.filter(key="password").update(value="enc:v1:garbage")
    with pytest.raises(ApplicationError) as error:
        load_environment(integration)
    assert error.value.code == "CONFIGURATION_ERROR" and error.value.status_code == 502


def test_admin_masks_secrets_and_encrypts_new_values(client, integration):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    set_environment_value(integration, "password", SECRET)
    row = EnvironmentValue.objects.get(key="password")
    for url in ("/admin/fileproxy/environmentvalue/", f"/admin/fileproxy/environmentvalue/{row.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200 and SECRET.encode() not in response.content
        assert row.value.encode() not in response.content  # not even the ciphertext
    response = client.post(f"/admin/fileproxy/environmentvalue/{row.pk}/change/", {"new_value": "rotated-pw"})
    assert response.status_code == 302, response.content
    assert load_environment(integration).values["password"] == "rotated-pw"
    response = client.post("/admin/fileproxy/environmentvalue/add/",
                           {"integration": integration.pk, "key": "base_url", "new_value": "https://erp"})
    assert response.status_code == 302
    assert load_environment(integration).values["base_url"] == "https://erp"
    response = client.post("/admin/fileproxy/environmentvalue/add/",
                           {"integration": integration.pk, "key": "nope", "new_value": "x"})
    assert response.status_code == 200 and b"not declared" in response.content
