"""integrations.configuration is a pure engine: no Django, directly or through what it imports."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import integrations.configuration

PACKAGE = Path(integrations.configuration.__file__).parent


def test_no_django_import_statements():
    offenders = []
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{source.name}: {name}" for name in names
                          if name.split(".")[0] in ("django", "rest_framework", "erpintegration")]
    assert offenders == []


def test_importing_the_package_loads_no_django():
    code = ("import sys, integrations.configuration; "
            "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent.parent)
    assert result.stdout.strip() == "[]"
