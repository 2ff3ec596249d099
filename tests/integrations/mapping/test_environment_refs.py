"""env_var_ref, portal_ref, $env, $mapValue and $mapKey in the pure engine, on both JSONata engines."""
import pytest

from integrations.mapping import jsonata as expressions
from integrations.mapping.engine import map_inbound
from integrations.mapping.environment import MappingEnvironment, bindings_for
from integrations.mapping.jsonata import ENGINES, UNDEFINED
from integrations.mapping.results import MappingError

pytestmark = pytest.mark.parametrize("engine", ENGINES, indirect=True)

ENV = MappingEnvironment(
    values={"erp.prefix": "SAP-"},
    maps={"codes": {"A": 1, "B": 2, "7": "seven", "nil": None}},
    portals=(
        {"portal_id": "p-new", "origin": "END_CUSTOMER_PORTAL", "name": "New", "domain": "new.example",
         "enabled": True, "is_dummy": False, "is_epilot_domain": False, "_created_at": "2025-01-01T00:00:00.000000Z"},
        {"portal_id": "p-old", "origin": "END_CUSTOMER_PORTAL", "name": "Old", "domain": "old.example",
         "enabled": True, "is_dummy": False, "is_epilot_domain": False, "_created_at": "2020-01-01T00:00:00.000000Z"},
    ),
)


def one_field(spec, payload=None, environment=ENV):
    configuration = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"],
                                   "fields": [{"attribute": "id", "constant": "1"}, {"attribute": "x", **spec}]}]}
    result = map_inbound(configuration, payload or {}, environment=environment)
    return result.entity_updates[0].attributes.get("x", UNDEFINED), result.warnings


@pytest.mark.parametrize(("expression", "expected"), [
    ('$mapValue($env.codes, "A")', 1),
    ('$mapValue($env.codes, 7)', "seven"),
    ('$mapValue($env.codes, "Z", "none")', "none"),
    ('$mapValue($env.codes, "nil", "none")', None),
    ('$mapValue($env.missing, "A", 0)', 0),
    ('$mapKey($env.codes, 2)', "B"),
    ('$mapKey($env.codes, "1")', "A"),
    ('$mapKey($env.codes, 99, "none")', "none"),
    ('$env."erp.prefix" & "1"', "SAP-1"),
])
def test_helpers_and_env_in_expressions(engine, expression, expected):
    assert expressions.evaluate(expression, {}, bindings_for(expression, environment=ENV)) == expected


def test_map_value_without_default_leaves_the_attribute_out(engine):
    value, _ = one_field({"jsonataExpression": '$mapValue($env.codes, code)'}, {"code": "Z"})
    assert value is UNDEFINED


def test_env_var_ref_value_jsonata_default_and_missing(engine):
    assert one_field({"env_var_ref": {"key": "erp.prefix"}})[0] == "SAP-"
    assert one_field({"env_var_ref": {"key": "erp.prefix", "return": "jsonata",
                                      "jsonataExpression": "$uppercase($) & 'X'"}})[0] == "SAP-X"
    value, warnings = one_field({"env_var_ref": {"key": "not.there", "default": "d"}})
    assert value == "d" and warnings == []
    value, warnings = one_field({"env_var_ref": {"key": "not.there"}})
    assert value is UNDEFINED
    assert [w.code for w in warnings] == ["ENV_VAR_REF_NOT_FOUND"]
    assert warnings[0].field == "x" and "entities[0].fields[1].env_var_ref" in warnings[0].message


def test_secrets_are_absent_from_the_environment(engine):
    # the loader never puts secrets in; the engine cannot tell a secret from a missing key
    value, warnings = one_field({"env_var_ref": {"key": "erp.password"}})
    assert value is UNDEFINED and warnings[0].code == "ENV_VAR_REF_NOT_FOUND"


def test_portal_ref_single_takes_the_oldest_and_warns_when_ambiguous(engine):
    value, warnings = one_field({"portal_ref": {"filter": {"origin": "END_CUSTOMER_PORTAL"}}})
    assert value == "p-old" and [w.code for w in warnings] == ["PORTAL_REF_AMBIGUOUS"]
    value, warnings = one_field({"portal_ref": {"filter": {"name": "New"}, "return": "domain"}})
    assert value == "new.example" and warnings == []


def test_portal_ref_all_and_jsonata(engine):
    assert one_field({"portal_ref": {"select": "all"}})[0] == ["p-old", "p-new"]
    assert one_field({"portal_ref": {"select": "all", "filter": {"origin": "B2B_PORTAL"}}})[0] == []
    assert one_field({"portal_ref": {"select": "all", "return": "jsonata",
                                     "jsonataExpression": "$join(name, ',')"}})[0] == "Old,New"


def test_bad_references_at_runtime_name_the_path(engine):
    with pytest.raises(MappingError) as caught:
        one_field({"env_var_ref": {"key": "BAD KEY"}})
    assert caught.value.details["path"] == "entities[0].fields[1].env_var_ref.key"
    with pytest.raises(MappingError) as caught:
        one_field({"portal_ref": {"filter": {"origin": "MOON_PORTAL"}}})
    assert caught.value.details["path"] == "entities[0].fields[1].portal_ref.filter.origin"


def test_syntax_errors_point_into_the_users_text(engine):
    with pytest.raises(expressions.ExpressionError) as caught:
        expressions.evaluate('$mapValue($env.codes, "A") +', {}, {"env": ENV.env()})
    assert caught.value.position is None or caught.value.position <= len('$mapValue($env.codes, "A") +')
