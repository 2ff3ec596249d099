"""Mapping plans (integrations/mapping/plan.py) change speed, not results: every golden case gives the same
answer without plans, plans are reused per configuration content, and a changed configuration gets a new
plan."""
import copy
import json

import pytest

from integrations.mapping import engine, plan
from integrations.mapping.engine import map_inbound
from tests.integrations.mapping.golden import GOLDEN, case_meta, case_names, run_case

CONFIG = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [
    {"attribute": "id", "field": "id"},
    {"attribute": "tags", "field": "tags"},
    {"attribute": "emails", "field": "mails", "_type": "email"},
    {"attribute": "name", "jsonataExpression": "$uppercase(name)", "enabled": "$exists(name)"},
    {"attribute": "source", "constant": {"system": "ERP"}},
]}]}


@pytest.mark.parametrize("case", [n for n in case_names() if "object_type" not in case_meta(n)])
def test_golden_cases_without_plans_give_the_same_answers(case, monkeypatch):
    monkeypatch.setattr(engine, "plan_for", lambda configuration: None)
    expected = json.loads((GOLDEN / case / "expected.json").read_text())
    assert run_case(case) == expected


def test_values_read_from_the_payload_or_configuration_are_never_shared():
    data = {"id": "1", "tags": ["a"], "mails": [{"email": "x@y.z"}], "name": "ada"}
    first = map_inbound(CONFIG, data).entity_updates[0].attributes
    second = map_inbound(CONFIG, data).entity_updates[0].attributes
    assert first == {"id": "1", "tags": ["a"], "emails": [{"email": "x@y.z"}], "name": "ADA",
                     "source": {"system": "ERP"}}
    first["tags"].append("b")
    first["emails"][0]["email"] = "changed"
    first["source"]["system"] = "changed"
    assert data == {"id": "1", "tags": ["a"], "mails": [{"email": "x@y.z"}], "name": "ada"}
    assert second["tags"] == ["a"] and second["emails"] == [{"email": "x@y.z"}]
    assert CONFIG["entities"][0]["fields"][4]["constant"] == {"system": "ERP"}


def test_one_plan_per_configuration_content_and_a_new_one_when_it_changes():
    configuration = copy.deepcopy(CONFIG)
    built = plan.plan_for(configuration)
    assert plan.plan_for(configuration) is built
    assert plan.plan_for(copy.deepcopy(configuration)) is built  # same content, another dict (a new batch)
    configuration["entities"][0]["fields"][3]["jsonataExpression"] = "$lowercase(name)"  # changed in place
    assert plan.plan_for(configuration) is not built
    assert map_inbound(configuration, {"id": "1", "name": "ADA"}).entity_updates[0].attributes["name"] == "ada"


def test_an_invalid_field_is_reported_exactly_as_without_plans():
    configuration = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [
        {"attribute": "id", "field": "id"}, {"attribute": "x"}]}]}
    with pytest.raises(Exception) as planned:
        map_inbound(configuration, {"id": "1"})
    assert planned.value.code == "INVALID_CONFIGURATION"
    assert planned.value.details["path"] == "entities[0].fields[1]"


def test_relation_tags_are_not_the_configurations_list():
    configuration = {"entities": [{"entity_schema": "contract", "unique_ids": ["id"], "fields": [
        {"attribute": "id", "field": "id"},
        {"attribute": "customer", "relations": {"operation": "_set", "items": [{
            "entity_schema": "contact", "_tags": ["PAYER"], "unique_ids": [{"attribute": "no", "field": "c"}]}]}}]}]}
    update = map_inbound(configuration, {"id": "1", "c": "C-1"}).entity_updates[0]
    update.attributes["customer"]["$relation"]["_set"][0]["_tags"].append("changed")
    assert configuration["entities"][0]["fields"][1]["relations"]["items"][0]["_tags"] == ["PAYER"]
