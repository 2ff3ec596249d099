"""Engine behaviour beyond the golden cases: configuration errors, runtime context, bounds, edge cases."""
import pytest

from integrations.mapping import jsonata as expressions
from integrations.mapping.engine import RuntimeContext, map_inbound, map_v1
from integrations.mapping.evaluation import EventScope, Item
from integrations.mapping.file_proxy import download_url
from integrations.mapping.meter_readings import normalise_timestamp
from integrations.mapping.results import MappingError


def entity(fields, **extra):
    return {"entity_schema": "contact", "unique_ids": ["id"], "fields": [{"attribute": "id", "field": "id"}, *fields],
            **extra}


def error_of(configuration, data, context=None) -> MappingError:
    with pytest.raises(MappingError) as info:
        map_inbound(configuration, data, context)
    return info.value


@pytest.mark.parametrize("configuration,path", [
    ([], "configuration"),
    ({"entities": {}}, "entities"),
    ({"meter_readings": "x"}, "meter_readings"),
    ({"entities": ["x"]}, "entities[0]"),
    ({"entities": [{"unique_ids": ["id"], "fields": []}]}, "entities[0].entity_schema"),
    ({"entities": [{"entity_schema": "c", "unique_ids": "id", "fields": []}]}, "entities[0].unique_ids"),
    ({"entities": [{"entity_schema": "c", "unique_ids": [], "fields": []}]}, "entities[0].unique_ids"),
    ({"entities": [{"entity_schema": "c", "unique_ids": ["id"]}]}, "entities[0].fields"),
    ({"entities": [entity([{"attribute": "x"}])]}, "entities[0].fields[1]"),
    ({"entities": [entity([{"field": "x"}])]}, "entities[0].fields[1].attribute"),
    ({"entities": [entity([{"attribute": "x", "field": "x", "_type": "fax"}])]}, "entities[0].fields[1]._type"),
    ({"entities": [entity([{"attribute": "x", "field": "x", "enabled": 1}])]}, "entities[0].fields[1].enabled"),
    ({"entities": [entity([{"attribute": "x", "jsonataExpression": 5}])]},
     "entities[0].fields[1].jsonataExpression"),
    ({"entities": [entity([{"attribute": "x", "relations": {"operation": "_set"}}])]},
     "entities[0].fields[1].relations"),
    ({"entities": [entity([{"attribute": "x", "relations": {"operation": "_set", "items": [{"unique_ids": []}]}}])]},
     "entities[0].fields[1].relations.items[0].entity_schema"),
    ({"entities": [entity([{"attribute": "x", "file_proxy_url": {"use_case_slug": "a", "use_case_id": "b"}}])]},
     "entities[0].fields[1].file_proxy_url"),
    ({"entities": [entity([], mode="upsert-prune-scope-purge", scope={"scope_mode": "tree"})]},
     "entities[0].scope.scope_mode"),
    ({"entities": [entity([], mode="upsert-prune-scope-purge", scope={"scope_mode": "relations"})]},
     "entities[0].scope.schema"),
    ({"meter_readings": [{"fields": []}]}, "meter_readings[0].meter"),
    ({"meter_readings": [{"meter": {"unique_ids": []}, "fields": []}]}, "meter_readings[0].meter.unique_ids"),
    ({"meter_readings": [{"meter": {"unique_ids": [{"attribute": "m", "constant": 1}]}, "fields": [],
                          "mode": "purge"}]}, "meter_readings[0].mode"),
])
def test_bad_configuration_is_a_mapping_error_naming_the_place(configuration, path):
    error = error_of(configuration, {"id": "1"})
    assert error.code == "INVALID_CONFIGURATION"
    assert error.details["path"] == path
    assert error.message.startswith(path)


def test_runaway_expression_becomes_mapping_error(engine):
    expressions.configure(timeout_ms=100)
    error = error_of({"entities": [entity([{"attribute": "x", "jsonataExpression":
                                            "($f := function($n){ $f($n + 1) }; $f(0))"}])]}, {"id": "1"})
    assert error.code == "JSONATA_ERROR"
    assert error.details["path"] == "entities[0].fields[1].jsonataExpression"
    assert error.details["jsonata"]["code"] in ("D1012", "D1011")


def test_file_proxy_url_uses_the_runtime_context():
    calls = []

    def builder(spec):
        calls.append(spec)
        return download_url("https://hub.example/fp/", "org-1", "int-1", spec)

    configuration = {"entities": [entity([{"attribute": "url", "file_proxy_url": {
        "use_case_slug": "docs", "params": {"id": {"field": "id"}, "n": {"jsonataExpression": "1.0"},
                                            "none": {"field": "nothing"}, "obj": {"constant": {"a": [1]}}}}}])]}
    result = map_inbound(configuration, {"id": "a b/ü"}, RuntimeContext("org-1", "int-1", builder))
    assert calls == [{"use_case_slug": "docs", "params": {"id": "a b/ü", "n": "1", "obj": '{"a":[1]}'}}]
    assert result.entity_updates[0].attributes["url"] == (
        "https://hub.example/fp/download?orgId=org-1&integrationId=int-1&useCaseSlug=docs"
        "&id=a+b%2F%C3%BC&n=1&obj=%7B%22a%22%3A%5B1%5D%7D")
    skipped = map_inbound(configuration, {"id": "x"}, RuntimeContext("org-1", "int-1", None))
    assert "url" not in skipped.entity_updates[0].attributes


def test_download_url_params_cannot_override_injected_ones():
    url = download_url("https://h", "o", "i", {"use_case_id": "u", "params": {"orgId": "evil", "x": "1"}})
    assert url == "https://h/download?orgId=o&integrationId=i&useCaseId=u&x=1"


def test_unresolvable_prune_scope_prunes_nothing_and_warns():
    configuration = {"entities": [entity([], mode="upsert-prune-scope-delete", jsonataExpression="items", scope={
        "scope_mode": "relations", "schema": "billing_account",
        "unique_ids": [{"attribute": "external_id", "field": "accountId"}]})]}
    result = map_inbound(configuration, {"items": [{"id": "1"}]})
    assert result.prune_scopes == []
    assert [u.unique_identifiers for u in result.entity_updates] == [{"id": "1"}]
    assert result.warnings[0].field == "scope" and "nothing will be pruned" in result.warnings[0].message


def test_disabled_prune_entity_emits_no_scope():
    configuration = {"entities": [entity([], mode="upsert-prune-scope-purge", enabled=False, scope={
        "scope_mode": "query", "query": [{"attribute": "a", "constant": 1}]})]}
    assert map_inbound(configuration, {"id": "1"}).prune_scopes == []


def test_meter_reading_prune_with_no_readings_scopes_the_payload_meter():
    configuration = {"meter_readings": [{
        "jsonataExpression": "readings", "mode": "upsert-prune-scope",
        "meter": {"unique_ids": [{"attribute": "meter_number", "field": "$$.meter"}]},
        "fields": [{"attribute": "external_id", "field": "id"}]}]}
    result = map_inbound(configuration, {"meter": "M-1", "readings": []})
    assert result.meter_readings_updates == []
    assert [(p.meter, p.kept_external_ids) for p in result.meter_reading_prunes] == [
        ({"$entity_unique_ids": {"meter_number": "M-1"}}, [])]


def test_meter_reading_delete_needs_only_the_matching_key():
    configuration = {"meter_readings": [{
        "mode": "delete", "meter": {"unique_ids": [{"attribute": "meter_number", "field": "meter"}]},
        "fields": [{"attribute": "external_id", "field": "id"}]}]}
    result = map_inbound(configuration, {"meter": "M-1", "id": "R-1"})
    assert result.meter_readings_updates[0].attributes == {"external_id": "R-1"}
    assert result.meter_readings_updates[0].mode == "delete"


@pytest.mark.parametrize("value,expected", [
    ("2025-01-15T10:00:00Z", "2025-01-15T10:00:00.000Z"),
    ("2025-01-15T10:00:00.123456+02:00", "2025-01-15T08:00:00.123Z"),
    ("2025-01-15", "2025-01-15T00:00:00.000Z"),
    ("2025-01-15T10:00", "2025-01-15T10:00:00.000Z"),
    ("2025-01-15 10:00:00", "2025-01-15T10:00:00.000Z"),
    ("20250115T100000Z", "2025-01-15T10:00:00.000Z"),
    ("15.01.2025", None),
    ("", None),
    (1736935200000, None),
    ("0999-01-01", "0999-01-01T00:00:00.000Z"),  # four-digit years (strftime drops the zeros)
    ("9999-12-31T23:59:59-12:00", None),  # beyond year 9999 in UTC: invalid, not an OverflowError
    ("0001-01-01T00:00:00+01:00", None),
])
def test_timestamp_normalisation(value, expected):
    assert normalise_timestamp(value) == expected


def test_legacy_wrapper_errors_name_the_event():
    mapping = {"version": "2.0", "mapping": {"events": {"E": {"entities": [entity([{"attribute": "x"}])]}}}}
    with pytest.raises(MappingError) as info:
        map_v1(mapping, "E", {"id": "1"})
    assert info.value.details["path"] == "mapping_configuration.mapping.events.E.entities[0].fields[1]"


@pytest.mark.parametrize("mapping,code,path", [
    ({"version": "3.0", "mapping": {"objects": {}}}, "INVALID_CONFIGURATION", "mapping_configuration.version"),
    ({"version": "1.0"}, "INVALID_CONFIGURATION", "mapping_configuration.mapping"),
    ({"mapping": {"objects": {"o": {"unique_ids": {}, "fields": [{"entity": "c", "attribute": "a", "field": "x",
                                                                  "jsonataExpression": "x"}]}}}},
     "INVALID_CONFIGURATION", "mapping_configuration.mapping.objects.o.fields[0]"),
    ({"version": "2.0", "mapping": {"events": {}}}, "UNKNOWN_OBJECT_TYPE", "object_type"),
])
def test_v1_configuration_errors(mapping, code, path):
    with pytest.raises(MappingError) as info:
        map_v1(mapping, "o", {"x": 1})
    assert info.value.code == code and info.value.details["path"] == path


PATH_DATA = {"a": {"b": {"c": 1}, "l": [1], "e": [], "n": None, "arr": [{"x": 1}, {"x": 2}], "s": "t"}}


@pytest.mark.parametrize("text", ["a", "a.b", "a.b.c", "$.a.b", "$$.a.l", "a.e", "a.n", "a.n.z", "a.arr.x",
                                  "a.s.z", "a.missing", "missing.x", "a.l", "true", "null"])
@pytest.mark.parametrize("engine", list(expressions.ENGINES), indirect=True)
def test_plain_paths_resolve_like_the_engine(text, engine):
    scope = EventScope(PATH_DATA)
    assert scope.expression(text, scope.root, "p") == expressions.evaluate(text, Item(PATH_DATA).prepared)


def test_unique_id_values_must_be_scalars():
    error = error_of({"entities": [{"entity_schema": "c", "unique_ids": ["id"], "fields": [
        {"attribute": "id", "jsonataExpression": "{'a': 1}"}]}]}, {})
    assert error.code == "MISSING_UNIQUE_IDENTIFIERS" and error.details["missing"] == ["id"]


def test_entity_items_that_are_null_are_skipped():
    result = map_inbound({"entities": [entity([], jsonataExpression="rows")]}, {"rows": [{"id": "1"}, None]})
    assert [u.unique_identifiers for u in result.entity_updates] == [{"id": "1"}]


def test_mapped_values_do_not_alias_the_payload_or_the_configuration():
    """The entity store applies ``_append`` etc. to the values it gets: they must be independent copies."""
    configuration = {"entities": [entity([
        {"attribute": "tags", "constant": ["a"]},
        {"attribute": "emails", "field": "emails"},
        {"attribute": "emails_again", "field": "emails"},
        {"attribute": "address", "jsonataExpression": "address"},
        {"attribute": "rel", "relations": {"operation": "_set", "items": [
            {"entity_schema": "account", "_tags": ["PRIMARY"], "unique_ids": [{"attribute": "n", "field": "id"}]},
        ]}},
        {"attribute": "phones", "field": "phones", "_type": "phone"},
    ])], "meter_readings": []}
    data = {"id": "1", "emails": ["x@y.z"], "address": {"street": "Main", "lines": ["1"]},
            "phones": [{"phone": "+49"}]}
    attributes = map_inbound(configuration, data).entity_updates[0].attributes

    attributes["tags"].append("b")
    attributes["emails"].append("mutated")
    attributes["address"]["lines"].append("2")
    attributes["rel"]["$relation"]["_set"][0]["_tags"].append("X")
    attributes["phones"][0]["phone"] = "0"

    assert configuration["entities"][0]["fields"][1]["constant"] == ["a"]
    assert configuration["entities"][0]["fields"][5]["relations"]["items"][0]["_tags"] == ["PRIMARY"]
    assert data == {"id": "1", "emails": ["x@y.z"], "address": {"street": "Main", "lines": ["1"]},
                    "phones": [{"phone": "+49"}]}
    assert attributes["emails_again"] == ["x@y.z"]


def test_v1_mapped_values_do_not_alias_the_payload():
    mapping = {"version": "1.0", "mapping": {"objects": {"bp": {
        "unique_ids": {"contact": ["id"]},
        "fields": [{"entity": "contact", "attribute": "id", "field": "id"},
                   {"entity": "contact", "attribute": "emails", "field": "emails"}],
    }}}}
    data = {"id": "1", "emails": ["x@y.z"]}
    map_v1(mapping, "bp", data).entity_updates[0].attributes["emails"].append("mutated")
    assert data["emails"] == ["x@y.z"]


class _SteppingClock:
    """A monotonic clock that advances one second each time it is read."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_one_event_has_a_total_time_budget_across_expressions(monkeypatch):
    """Each expression is bounded, but 50 fields of 1.5 s would hold a request for 75 s: the event as a
    whole gets ``event_timeout_ms`` and the expression that runs out of it is a D1012 mapping error."""
    from integrations.mapping import evaluation

    saved = expressions.current_config()
    expressions.configure(event_timeout_ms=10_000)
    monkeypatch.setattr(evaluation.time, "monotonic", _SteppingClock())
    try:
        fields = [{"attribute": f"f{i}", "jsonataExpression": f"id & '{i}'"} for i in range(50)]
        error = error_of({"entities": [entity(fields)]}, {"id": "1"})
    finally:
        expressions.configure(**saved.__dict__)
    assert error.code == "JSONATA_ERROR"
    assert error.details["jsonata"]["code"] == "D1012"
    assert "10000 ms" in error.message
    assert error.details["path"].startswith("entities[0].fields[")


def test_an_expression_gets_only_the_remaining_event_budget():
    saved = expressions.current_config()
    expressions.configure(event_timeout_ms=200)
    try:
        loop = "($l := function($i){ $i < 100000000 ? $l($i+1) : $i }; $l(0))"
        error = error_of({"entities": [entity([{"attribute": "x", "jsonataExpression": loop}])]}, {"id": "1"})
    finally:
        expressions.configure(**saved.__dict__)
    assert error.details["jsonata"]["code"] == "D1012"
    assert "exceeded its time limit of 200 ms" in error.message


@pytest.mark.parametrize("engine", list(expressions.ENGINES), indirect=True)
@pytest.mark.parametrize("depth", [300, 5_000])
def test_expression_building_deeply_nested_data_is_a_mapping_error(engine, depth):
    """``$reduce`` builds nesting without recursion; such a value would break every recursive consumer
    (copying, JSON rendering, the entity store) with a RecursionError (a 500)."""
    expression = "$reduce([1.." + str(depth) + "], function($acc, $v){ {'a': $acc} }, {})"
    error = error_of({"entities": [entity([{"attribute": "deep", "jsonataExpression": expression}])]}, {"id": "1"})
    assert error.code == "JSONATA_ERROR"
    assert error.details["path"] == "entities[0].fields[1].jsonataExpression"
    assert "nested deeper than" in error.message


def test_expression_results_nested_within_the_bound_are_kept():
    expression = "$reduce([1..200], function($acc, $v){ {'a': $acc} }, {})"
    result = map_inbound({"entities": [entity([{"attribute": "deep", "jsonataExpression": expression}])]}, {"id": "1"})
    assert "a" in result.entity_updates[0].attributes["deep"]
