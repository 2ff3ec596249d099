"""Run a node script that drives a live server with the official @epilot/sdk client; validate each call.

Usage from a test (``live_server`` and a real token)::

    calls = run_sdk_script("run_v133_model.mjs", live_server, persona.token)
    assert_sdk_calls_match_contract(calls)

The script uses ``harness.mjs`` (``sdkClient``, ``recorder``); see ``run_v133_model.mjs`` for an example.
Skips with the reason when Node.js or the SDK is not installed (``make sdk-deps``).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.spec import assert_matches_contract

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SdkCall:
    operationId: str  # noqa: N815 - as the SDK names it
    status: int
    body: Any
    contracts: Any  # "all", a list of versions, or None (no contract declares this status)
    label: str = ""

    def response(self):
        """A response-like object for ``assert_matches_contract``."""
        return SimpleNamespace(status_code=self.status, json=lambda: self.body)


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the @epilot/sdk check needs `node`")
    if not (HERE / "node_modules" / "@epilot" / "sdk" / "package.json").exists():
        pytest.skip("@epilot/sdk is not installed: run `make sdk-deps` (npm ci in tests/sdk)")
    return node


def run_sdk_script(script: str, live_server, *args: str, timeout: int = 120) -> list[SdkCall]:
    """Run ``tests/sdk/<script>`` against ``live_server`` with ``args`` (tokens...); its recorded calls."""
    node = node_or_skip()
    result = subprocess.run([node, str(HERE / script), live_server.url, *args], cwd=HERE,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"SDK run of {script} failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    return [SdkCall(**call) for call in json.loads(result.stdout.strip().splitlines()[-1])]


def assert_sdk_calls_match_contract(calls: list[SdkCall]) -> None:
    """Each call's status and body against the contracts it names (``None``: undeclared, not checked)."""
    for call in calls:
        if call.contracts is None:
            continue
        versions = None if call.contracts == "all" else list(call.contracts)
        try:
            assert_matches_contract(call.operationId, call.response(), versions)
        except AssertionError as exc:
            raise AssertionError(f"{call.operationId} {call.label}: {exc}") from None


def calls_of(calls: list[SdkCall], operation_id: str, label: str | None = None) -> list[SdkCall]:
    return [c for c in calls if c.operationId == operation_id and (label is None or c.label == label)]
