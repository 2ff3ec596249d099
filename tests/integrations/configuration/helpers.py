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
