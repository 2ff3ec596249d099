"""env_var_ref and portal_ref are validated on save: the exact path of every problem."""
import pytest

from integrations.configuration import validate_configuration
from tests.factories import IntegrationFactory, UseCaseFactory

from .helpers import assert_single_issue


def config(field):
    return {"entities": [{"entity_schema": "contact", "unique_ids": ["id"],
                          "fields": [{"attribute": "id", "field": "id"}, {"attribute": "x", **field}]}]}


FIELD = "configuration.entities[0].fields[1]"


def test_valid_references_pass():
    for field in ({"env_var_ref": {"key": "erp.url"}},
                  {"env_var_ref": {"key": "erp.url", "default": "", "return": "jsonata", "jsonataExpression": "$"}},
                  {"portal_ref": {}},
                  {"portal_ref": {"filter": {"origin": ["B2B_PORTAL"], "enabled": None, "is_dummy": True,
                                             "is_epilot_domain": False, "name": "n", "domain": "d"},
                                  "select": "all", "return": "jsonata", "jsonataExpression": "$count($)"}}):
        assert validate_configuration("inbound", config(field)) == config(field)


@pytest.mark.parametrize(("field", "path", "contains"), [
    ({"env_var_ref": {}}, "env_var_ref.key", "required"),
    ({"env_var_ref": {"key": "Erp URL"}}, "env_var_ref.key", "pattern"),
    ({"env_var_ref": {"key": "k", "default": 5}}, "env_var_ref.default", "string"),
    ({"env_var_ref": {"key": "k", "return": "secret"}}, "env_var_ref.return", "value"),
    ({"env_var_ref": {"key": "k", "return": "jsonata"}}, "env_var_ref.jsonataExpression", "required"),
    ({"env_var_ref": {"key": "k", "return": "jsonata", "jsonataExpression": "$ +"}},
     "env_var_ref.jsonataExpression", ""),
    ({"env_var_ref": {"key": "k", "jsonataExpression": "$"}}, "env_var_ref.jsonataExpression", "only allowed"),
    ({"env_var_ref": {"key": "k", "defualt": "x"}}, "env_var_ref.defualt", "not a known property"),
    ({"portal_ref": {"filter": {"origin": "MOON"}}}, "portal_ref.filter.origin", "END_CUSTOMER_PORTAL"),
    ({"portal_ref": {"filter": {"origin": ["B2B_PORTAL", "X"]}}}, "portal_ref.filter.origin[1]", "B2B_PORTAL"),
    ({"portal_ref": {"filter": {"enabled": "yes"}}}, "portal_ref.filter.enabled", "boolean"),
    ({"portal_ref": {"select": "first"}}, "portal_ref.select", "single"),
    ({"portal_ref": {"return": "url"}}, "portal_ref.return", "portal_id"),
    ({"portal_ref": {"return": "jsonata"}}, "portal_ref.jsonataExpression", "required"),
    ({"portal_ref": "p-1"}, "portal_ref", "object"),
    ({"env_var_ref": {"key": "k"}, "portal_ref": {}}, "portal_ref", "cannot be combined"),
    ({"env_var_ref": {"key": "k"}, "constant": 1}, "constant", "cannot be combined"),
])
def test_bad_references_name_the_field(field, path, contains):
    assert_single_issue(validate_configuration, "inbound", config(field), path=f"{FIELD}.{path}",
                        contains=contains)


@pytest.mark.django_db
def test_the_use_case_api_answers_400_and_keeps_the_stored_version(owner):
    use_case = UseCaseFactory(integration=IntegrationFactory(organization=owner.organization))
    before = use_case.configuration
    response = owner.client.put(
        f"/v1/integrations/{use_case.integration_id}/use-cases/{use_case.id}",
        {"configuration": config({"portal_ref": {"select": "first"}})}, format="json")
    assert response.status_code == 400
    assert f"{FIELD}.portal_ref.select" in response.json()["message"]
    use_case.refresh_from_db()
    assert use_case.configuration == before
