"""Every rule docs/architecture.md states, checked on the source (``tests/architecture_rules.py``), and each
checker shown to catch a deliberate violation in a small synthetic tree."""
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests import architecture_rules as rules

ROOT = Path(__file__).resolve().parents[1]


# --- this repository -----------------------------------------------------------------------------------


def test_apps_form_a_one_way_chain():
    assert not rules.upward_imports(ROOT), "an app imports an app above it (order: " + " → ".join(
        rules.APP_ORDER) + f"): {rules.upward_imports(ROOT)}"


def test_erpintegration_imports_no_app():
    assert not rules.app_imports(ROOT, "erpintegration"), rules.app_imports(ROOT, "erpintegration")


def test_no_module_import_cycles():
    assert not rules.import_cycles(ROOT), f"module import cycles: {rules.import_cycles(ROOT)}"


def test_function_level_imports_only_in_framework_hooks_with_a_reason():
    assert not rules.function_level_imports(ROOT), rules.function_level_imports(ROOT)


def test_pure_engines_import_nothing_from_django_or_app_code():
    assert not rules.impure_engine_imports(ROOT), rules.impure_engine_imports(ROOT)


def test_one_http_client():
    offenders = rules.banned_imports(ROOT, rules.HTTP_MODULES, rules.HTTP_CLIENT)
    assert not offenders, f"outbound HTTP goes through {rules.HTTP_CLIENT}: {offenders}"


def test_one_xml_parser():
    offenders = rules.banned_imports(ROOT, rules.XML_MODULES, rules.XML_PARSER)
    assert not offenders, f"XML is parsed only by {rules.XML_PARSER}: {offenders}"


def test_no_orm_writes_in_views_api_views_or_tasks():
    assert not rules.orm_writes_in_thin_modules(ROOT), rules.orm_writes_in_thin_modules(ROOT)


def test_ruff_bans_the_same_http_and_xml_imports():
    """The banned-api rule in pyproject.toml mirrors the two single-entry-point rules, so an editor flags them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    banned = set(config["flake8-tidy-imports"]["banned-api"])
    assert set(rules.HTTP_MODULES) | set(rules.XML_MODULES) <= banned
    assert "TID251" in config["per-file-ignores"][rules.HTTP_CLIENT]
    assert "TID251" in config["per-file-ignores"][rules.XML_PARSER]


def test_celery_task_names_stay_the_published_ones(settings):
    """Queued messages and the beat schedule name tasks; moving code must not rename them."""
    from celery import current_app

    from entities import tasks as entity_tasks  # noqa: F401  (the worker autodiscovers these; load them here)
    from integrations.inbound import queue as inbound_queue
    from integrations.outbound import queue as outbound_queue
    from monitoring import tasks as monitoring_tasks  # noqa: F401

    published = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} | {
        inbound_queue.PROCESS_EVENTS, outbound_queue.DELIVER_OUTBOUND, "entities.purge_deleted_entities"}
    assert published == {
        "integrations.tasks.process_events", "integrations.tasks.sweep_events",
        "integrations.tasks.purge_inbound_events", "integrations.tasks.deliver_outbound",
        "integrations.tasks.sweep_deliveries", "integrations.tasks.purge_outbound_history",
        "integrations.tasks.reap_outbound_stream",
        "monitoring.tasks.purge_inbound_monitoring", "monitoring.tasks.purge_access_logs",
        "monitoring.tasks.evaluate_notifications",
        "entities.purge_deleted_entities", "integrations.imports.watchdog",
    }
    assert published <= set(current_app.tasks.keys())
    assert {"integrations.imports.validate", "integrations.imports.execute"} <= set(current_app.tasks.keys())


# --- the checkers catch violations (synthetic trees) ---------------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for app in rules.APP_ORDER:
        (root / app).mkdir(exist_ok=True)
    return root


CLEAN = {
    "fileproxy/__init__.py": "",
    "fileproxy/views.py": "from integrations.inbound import services\n",
    "integrations/__init__.py": "",
    "integrations/inbound/__init__.py": "",
    "integrations/inbound/services.py": "from entities import store\nfrom monitoring import records\n",
    "entities/__init__.py": "",
    "entities/store.py": "from erpintegration import errors\n",
    "monitoring/__init__.py": "",
    "monitoring/records.py": "from erpintegration import errors\n",
    "erpintegration/__init__.py": "",
    "erpintegration/errors.py": "import json\n",
}


def test_a_clean_tree_passes_every_checker(tmp_path):
    root = write_tree(tmp_path, CLEAN)
    assert rules.upward_imports(root) == []
    assert rules.app_imports(root, "erpintegration") == []
    assert rules.import_cycles(root) == []
    assert rules.function_level_imports(root) == []


def test_a_deliberate_upward_import_fails(tmp_path):
    root = write_tree(tmp_path, {**CLEAN, "entities/store.py": "from integrations.inbound import services\n"})
    assert rules.upward_imports(root) == ["entities/store.py:1 imports integrations.inbound.services"]


def test_erpintegration_importing_an_app_fails(tmp_path):
    root = write_tree(tmp_path, {**CLEAN, "erpintegration/errors.py": "from monitoring.records import x\n"})
    assert rules.app_imports(root, "erpintegration") == ["erpintegration/errors.py:1 imports monitoring.records"]
    assert rules.upward_imports(root) == ["erpintegration/errors.py:1 imports monitoring.records"]


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    root = write_tree(tmp_path, {
        **CLEAN,
        "integrations/inbound/tasks.py": "from integrations.inbound import services\n",
        "integrations/inbound/services.py": "def enqueue():\n    from integrations.inbound.tasks import work\n",
    })
    assert rules.import_cycles(root) == [["integrations.inbound.services", "integrations.inbound.tasks"]]
    assert rules.function_level_imports(root) == [
        "integrations/inbound/services.py:2 imports integrations.inbound.tasks (not a framework hook)"
    ]


def test_relative_imports_count_too(tmp_path):
    root = write_tree(tmp_path, {**CLEAN, "monitoring/records.py": "from ..erpintegration import errors\n",
                                 "monitoring/sub/__init__.py": "", "monitoring/sub/x.py": "from ...fileproxy import views\n"})
    assert rules.upward_imports(root) == ["monitoring/sub/x.py:1 imports fileproxy.views"]


def test_apps_py_may_import_in_ready_with_a_comment_only(tmp_path):
    commented = "def ready():\n    # the registry is ready only now\n    from integrations.inbound import services\n"
    silent = "def ready():\n    from integrations.inbound import services\n"
    assert rules.function_level_imports(write_tree(tmp_path / "a", {**CLEAN, "integrations/apps.py": commented})) == []
    assert rules.function_level_imports(write_tree(tmp_path / "b", {**CLEAN, "integrations/apps.py": silent})) == [
        "integrations/apps.py:2 imports integrations.inbound.services"
    ]


@pytest.mark.parametrize("line", ["import django.db", "from rest_framework import serializers",
                                  "from integrations.models import UseCase", "from entities import store"])
def test_an_impure_engine_import_fails(tmp_path, line):
    root = write_tree(tmp_path, {**CLEAN, "integrations/mapping/__init__.py": "",
                                 "integrations/mapping/engine.py": f"from integrations.mapping import x\n{line}\n"})
    offenders = rules.impure_engine_imports(root)
    assert len(offenders) == 1 and offenders[0].startswith("integrations/mapping/engine.py:2 imports ")


@pytest.mark.parametrize("line", ["import requests", "import http.client", "from urllib3 import PoolManager",
                                  "import httpx", "from urllib.request import urlopen"])
def test_a_second_http_client_fails(tmp_path, line):
    root = write_tree(tmp_path, {**CLEAN, "erpintegration/lib/http.py": "import http.client\n",
                                 "monitoring/records.py": line + "\n"})
    offenders = rules.banned_imports(root, rules.HTTP_MODULES, rules.HTTP_CLIENT)
    assert len(offenders) == 1 and offenders[0].startswith("monitoring/records.py:1 imports ")


@pytest.mark.parametrize("line", ["from lxml import etree", "import xml.etree.ElementTree as ET",
                                  "from xml.dom import minidom"])
def test_a_second_xml_parser_fails(tmp_path, line):
    root = write_tree(tmp_path, {**CLEAN, "integrations/mapping/xml.py": "from lxml import etree\n",
                                 "fileproxy/views.py": line + "\n"})
    offenders = rules.banned_imports(root, rules.XML_MODULES, rules.XML_PARSER)
    assert len(offenders) == 1 and offenders[0].startswith("fileproxy/views.py:1 imports ")


@pytest.mark.parametrize("call", ["UseCase.objects.create(name='x')", "use_case.save()", "qs.update(enabled=False)",
                                  "row.delete()", "Entity.objects.bulk_create([])"])
def test_an_orm_write_in_a_view_or_task_fails(tmp_path, call):
    root = write_tree(tmp_path, {**CLEAN, "integrations/inbound/views.py": f"def page(request):\n    {call}\n",
                                 "integrations/inbound/tasks.py": "def work():\n    return services.run()\n"})
    assert rules.orm_writes_in_thin_modules(root) == [
        f"integrations/inbound/views.py:2 calls .{call.split('(')[0].rsplit('.', 1)[1]}()"
    ]
