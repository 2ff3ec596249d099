"""Import rules of docs/architecture.md, checked on the source text (AST), so they stay honest."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PURE_PACKAGES = ["integrations/mapping", "integrations/configuration", "fileproxy/templating.py"]
FORBIDDEN_FOR_MONITORING = ("integrations", "entities", "fileproxy")


def python_files(relative: str) -> list[Path]:
    path = ROOT / relative
    if path.is_file():
        return [path]
    return sorted(path.rglob("*.py")) if path.exists() else []


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_engines_import_nothing_from_django(package):
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files(package)
        for module in imported_modules(path)
        if module == "django" or module.startswith(("django.", "rest_framework", "erpintegration", "entities"))
        or module in ("integrations.models", "integrations.services")
    }
    assert not offenders, f"pure engine imports Django/app code: {sorted(offenders)}"


def test_monitoring_imports_nothing_from_other_apps():
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("monitoring")
        if "migrations" not in path.parts
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN_FOR_MONITORING
    }
    assert not offenders, f"monitoring must not depend on other apps: {sorted(offenders)}"


def test_views_do_not_do_outbound_http():
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for pattern in ("*/views*.py", "*/api/views*.py", "*/api/*.py")
        for path in ROOT.glob(pattern)
        for module in imported_modules(path)
        if module.split(".")[0] in ("requests", "httpx", "urllib3") or module == "urllib.request"
    }
    assert not offenders, f"outbound HTTP belongs in services via erpintegration.lib.http: {sorted(offenders)}"
