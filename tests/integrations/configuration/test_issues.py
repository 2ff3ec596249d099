"""The error type others render: paths, message joining, details."""
from __future__ import annotations

from integrations.configuration import ConfigIssue, ConfigurationInvalid
from integrations.configuration.issues import Issues, index_path, key_path


def test_issue_renders_path_and_message():
    issue = ConfigIssue("configuration.mappings[0].id", "must be a UUID")
    assert str(issue) == "configuration.mappings[0].id: must be a UUID"
    assert issue.as_dict() == {"path": "configuration.mappings[0].id", "message": "must be a UUID"}


def test_paths_use_dots_for_plain_keys_and_quotes_otherwise():
    assert key_path("configuration", "entities") == "configuration.entities"
    assert key_path("configuration.steps[0].headers", "Content-Type") == "configuration.steps[0].headers.Content-Type"
    assert key_path("p", "two words") == 'p["two words"]'
    assert key_path("p", 'a"b') == 'p["a\\"b"]'
    assert index_path("configuration.entities", 3) == "configuration.entities[3]"


def test_exception_lists_every_issue():
    error = ConfigurationInvalid([ConfigIssue("a", "x"), ConfigIssue("b", "y")])
    assert error.message == str(error) == "a: x; b: y"
    assert [issue.path for issue in error.issues] == ["a", "b"]
    assert error.omitted == 0


def test_collector_caps_and_counts():
    issues = Issues(cap=2)
    for n in range(5):
        issues.add(f"p{n}", "bad")
    assert [issue.path for issue in issues.items] == ["p0", "p1"]
    assert issues.total == 5
