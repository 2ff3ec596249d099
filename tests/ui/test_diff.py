"""The pure diff helper behind the version comparison page."""
from erpintegration.lib.diff import ADDED, CHANGED, REMOVED, UNCHANGED, diff, flatten, summarize

CONFIG = {
    "entities": [
        {
            "entity_schema": "contact",
            "unique_ids": ["customer_number"],
            "fields": [
                {"attribute": "customer_number", "field": "customerId"},
                {"attribute": "first_name", "field": "firstName"},
            ],
        }
    ]
}


def test_identical_documents_have_no_changes():
    assert diff(CONFIG, CONFIG) == []
    assert all(c.kind == UNCHANGED for c in diff(CONFIG, CONFIG, include_unchanged=True))


def test_changed_expression_is_one_change_marked_as_expression():
    new = {
        "entities": [
            {
                **CONFIG["entities"][0],
                "fields": [
                    {"attribute": "customer_number", "field": "customerId"},
                    {"attribute": "first_name", "jsonataExpression": "$uppercase(firstName)"},
                ],
            }
        ]
    }
    changes = diff(CONFIG, new)
    by_path = {c.path: c for c in changes}
    base = "entities[entity_schema=contact].fields[attribute=first_name]"
    assert by_path[f"{base}.field"].kind == REMOVED
    added = by_path[f"{base}.jsonataExpression"]
    assert added.kind == ADDED and added.is_expression and added.new_text == "$uppercase(firstName)"
    assert summarize(changes) == {ADDED: 1, REMOVED: 1, CHANGED: 0}


def test_inserting_a_list_item_does_not_shift_the_others():
    new = {"entities": [{**CONFIG["entities"][0]}]}
    new["entities"][0]["fields"] = [{"attribute": "email", "field": "mail"}, *CONFIG["entities"][0]["fields"]]
    changes = diff(CONFIG, new)
    assert [c.kind for c in changes] == [ADDED, ADDED]
    assert all("attribute=email" in c.path for c in changes)


def test_lists_without_identity_compare_by_position():
    changes = diff({"unique_ids": ["a", "b"]}, {"unique_ids": ["a", "c", "d"]})
    assert [(c.path, c.kind, c.old, c.new) for c in changes] == [
        ("unique_ids[1]", CHANGED, "b", "c"),
        ("unique_ids[2]", ADDED, None, "d"),
    ]


def test_type_changes_and_scalars_render_as_json():
    [change] = diff({"enabled": 1}, {"enabled": True})
    assert change.kind == CHANGED and change.old_text == "1" and change.new_text == "true"


def test_none_and_empty_containers_are_leaves():
    assert flatten({"a": {}, "b": [], "c": None}) == {"a": {}, "b": [], "c": None}
    assert diff(None, {"x": 1})[0].kind == ADDED
    assert diff({"x": 1}, None)[0].kind == REMOVED
