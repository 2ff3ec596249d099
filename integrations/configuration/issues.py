"""Issue collection for configuration validation: every problem with its exact path, not just the first."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

MAX_ISSUES = 50

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_$-]+$")


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration; ``path`` names the offending element, e.g. ``configuration.entities[0]``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class ConfigurationInvalid(Exception):
    """Raised with every issue found (capped at MAX_ISSUES); ``message`` joins them with "; "."""

    def __init__(self, issues: list[ConfigIssue], omitted: int = 0):
        self.issues = list(issues)
        self.omitted = omitted
        self.message = "; ".join(str(issue) for issue in self.issues)
        if omitted:
            self.message += f"; ... and {omitted} more issue{'s' if omitted != 1 else ''}"
        super().__init__(self.message)

    @property
    def details(self) -> list[dict[str, str]]:
        """The issues as plain dicts, ready for an error response's ``details``."""
        return [issue.as_dict() for issue in self.issues]


def key_path(path: str, key: object) -> str:
    """``path.key``, or ``path["odd key"]`` when the key would make the dotted form ambiguous."""
    key = str(key)
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def index_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


class Issues:
    """Collects issues up to a cap and counts the rest, so a broken configuration gets one useful answer."""

    def __init__(self, cap: int = MAX_ISSUES):
        self.cap = cap
        self.items: list[ConfigIssue] = []
        self.total = 0

    def add(self, path: str, message: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(ConfigIssue(path, message))

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ConfigurationInvalid(self.items, omitted=self.total - len(self.items))
