"""Request bodies that stress the JSON parser answer a clear 400, never a 500."""
import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_body_is_400(owner, depth):
    body = '{"name": "x", "settings": ' + "[" * depth + "]" * depth + "}"
    response = owner.client.generic("POST", "/v1/integrations", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"
    assert "nest" in response.json()["message"]


@pytest.mark.django_db
def test_deeply_nested_simulation_body_is_400(owner):
    body = '{"mapping_configuration": {}, "format": "json", "payload": ' + "[" * 5000 + "]" * 5000 + "}"
    response = owner.client.generic(
        "POST", "/v2/erp/updates/mapping_simulation", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"


@pytest.mark.django_db
def test_out_of_range_number_in_body_is_400(owner):
    integration = owner.client.post("/v1/integrations", {"name": "x"}, format="json").json()
    body = (
        '{"name": "inf", "type": "inbound", "enabled": true, "configuration": {"entities": [{"entity_schema":'
        ' "contact", "unique_ids": ["id"], "fields": [{"attribute": "id", "constant": -1e400}]}]}}'
    )
    response = owner.client.generic(
        "POST", f"/v1/integrations/{integration['id']}/use-cases", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"
    assert "1e400" in response.json()["message"]
    assert owner.client.get(f"/v1/integrations/{integration['id']}/use-cases").json()["use_cases"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("configuration,path", [
    ('{"x": "a\\u0000b"}', "configuration.x"),
    ('{"x\\u0000": "b"}', "configuration"),
    ('{"entities": [{"fields": ["\\u0000"]}]}', "configuration.entities[0].fields[0]"),
])
def test_null_character_anywhere_in_body_is_400_naming_the_place(owner, configuration, path):
    """PostgreSQL's jsonb cannot store \\u0000: refuse it up front instead of failing the INSERT with a 500."""
    integration = owner.client.post("/v1/integrations", {"name": "x"}, format="json").json()
    body = '{"name": "n", "type": "inbound", "enabled": true, "configuration": ' + configuration + '}'
    response = owner.client.generic(
        "POST", f"/v1/integrations/{integration['id']}/use-cases", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"
    assert path in response.json()["message"]
    assert owner.client.get(f"/v1/integrations/{integration['id']}/use-cases").json()["use_cases"] == []


@pytest.mark.django_db
def test_unpaired_surrogate_in_body_is_400_naming_the_place(owner):
    """``\\udc00`` parses to a str that cannot be encoded as UTF-8: rendering or storing it was a 500."""
    body = (
        '{"event_configuration": {"entities": [{"entity_schema": "c", "unique_ids": ["id"],'
        ' "fields": [{"attribute": "id", "field": "id"}]}]}, "format": "json", "payload": {"id": "x\\udc00"}}'
    )
    response = owner.client.generic(
        "POST", "/v2/erp/updates/mapping_simulation", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"
    assert "payload.id" in response.json()["message"]


@pytest.mark.django_db
def test_surrogate_pairs_are_fine(owner):
    body = '{"name": "rocket \\ud83d\\ude80"}'
    response = owner.client.generic("POST", "/v1/integrations", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["name"] == "rocket \U0001F680"
