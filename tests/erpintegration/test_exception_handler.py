import pytest

from erpintegration.api.exception_handler import flatten_errors


def test_nested_errors_name_the_exact_path():
    detail = {"use_cases": {"1": {"name": ["This field is required."]}}, "non_field_errors": ["bad"]}
    assert flatten_errors(detail) == ["use_cases[1].name: This field is required.", "bad"]


def test_list_of_item_errors_is_indexed():
    detail = {"environment_config": [{}, {"key": ["Invalid key."]}]}
    assert flatten_errors(detail) == ["environment_config[1].key: Invalid key."]


def test_openapi_json_is_json(client, db):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["EpilotAuth"]["scheme"] == "bearer"
    assert "/v1/integrations" in schema["paths"]


@pytest.mark.django_db
def test_validation_error_details_are_path_message_pairs_on_every_endpoint(owner):
    """The same 400 shape as the configuration operations: details [{path, message}], no DRF internals."""
    response = owner.client.post("/v2/erp/updates/mapping_simulation", {"format": "yaml"}, format="json")
    assert response.status_code == 400
    details = response.json()["details"]
    assert {"path": "format", "message": '"yaml" is not a valid choice.'} in details
    assert {d["path"] for d in details} == {"event_configuration", "format", "payload"}

    response = owner.client.post("/v2/erp/updates/mapping_simulation", [1], format="json")
    assert response.json()["details"] == [
        {"path": "", "message": "Invalid data. Expected a dictionary, but got list."}
    ]
