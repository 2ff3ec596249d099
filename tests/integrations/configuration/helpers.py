"""Assertion helpers: an invalid configuration must name the exact path and say why."""
from __future__ import annotations

import pytest

from integrations.configuration import ConfigurationInvalid


def issues_of(call, *args, **kwargs) -> dict[str, str]:
    """{path: message} of the ConfigurationInvalid raised by ``call``."""
    with pytest.raises(ConfigurationInvalid) as caught:
        call(*args, **kwargs)
    return {issue.path: issue.message for issue in caught.value.issues}


def assert_single_issue(call, *args, path: str, contains: str, **kwargs) -> None:
    issues = issues_of(call, *args, **kwargs)
    assert list(issues) == [path], issues
    assert contains in issues[path], issues[path]


def set_at(path, value):
    """A mutator setting ``value`` at ``path`` (a tuple of keys/indexes) of the configuration it is given."""
    def mutate(config):
        target = config
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return config
    return mutate


def delete_at(path):
    """A mutator removing the key or index at ``path`` of the configuration it is given."""
    def mutate(config):
        target = config
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return config
    return mutate
