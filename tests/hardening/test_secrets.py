"""Issue 10.6: file-proxy OAuth secrets only as {{env.key}} references (existing literals migrated into
encrypted environment values), var/secret_key and the SQLite file 0600, download signatures redacted in the
server's access log."""
import copy
import importlib
import logging
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps

from fileproxy.models import EnvironmentValue
from integrations.configuration import ConfigurationInvalid, validate_configuration
from integrations.models import UseCaseHistory
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.configuration.examples import FILE_PROXY

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", ["client_secret", "password"])
@pytest.mark.parametrize("value", ["s3cr3t", "prefix-{{env.secret}}", "{{params.secret}}"])
def test_a_literal_secret_is_refused_naming_the_field(key, value):
    config = copy.deepcopy(FILE_PROXY)
    config["auth"].update(type="oauth2_password", username="svc", password="{{env.pw}}")
    config["auth"][key] = value
    with pytest.raises(ConfigurationInvalid) as info:
        validate_configuration("file_proxy", config)
    [issue] = [i for i in info.value.details if i["path"] == f"configuration.auth.{key}"]
    assert "{{env." in issue["message"]


@pytest.mark.parametrize("reference", ["{{env.erp_secret}}", "\\{{env.erp_secret}}", "{{ env.erp_secret }}"])
def test_env_references_are_accepted(reference):
    config = copy.deepcopy(FILE_PROXY)
    config["auth"]["client_secret"] = reference
    assert validate_configuration("file_proxy", config)["auth"]["client_secret"] == reference


@pytest.mark.django_db
def test_the_migration_moves_literals_into_encrypted_environment_values():
    integration = IntegrationFactory(environment_config=[{"key": "erp_url", "type": "String"}])
    config = copy.deepcopy(FILE_PROXY)
    config["auth"].update(type="oauth2_password", client_secret="literal-secret", username="svc",
                          password="literal-password")
    use_case = UseCaseFactory(integration=integration, type="file_proxy", slug="archive", configuration=config)
    UseCaseHistory.objects.create(use_case=use_case, configuration=copy.deepcopy(config),
                                  **history_fields(use_case))
    migration = importlib.import_module("fileproxy.migrations.0002_file_proxy_secrets_to_environment")
    migration.move_literal_secrets(apps, None)

    use_case.refresh_from_db()
    auth = use_case.configuration["auth"]
    assert auth["client_secret"] == "{{env.file_proxy_archive_client_secret}}"
    assert auth["password"] == "{{env.file_proxy_archive_password}}"
    integration.refresh_from_db()
    declared = {item["key"]: item["type"] for item in integration.environment_config}
    assert declared["file_proxy_archive_client_secret"] == "SecretString" and declared["erp_url"] == "String"
    row = EnvironmentValue.objects.get(integration=integration, key="file_proxy_archive_client_secret")
    assert row.is_secret and "literal-secret" not in row.value
    from erpintegration.lib import crypto

    assert crypto.decrypt(row.value) == "literal-secret"
    for history in UseCaseHistory.objects.filter(use_case=use_case):
        assert "literal-secret" not in str(history.configuration)
        assert "literal-password" not in str(history.configuration)


def history_fields(use_case):
    fields = {f.name for f in UseCaseHistory._meta.get_fields()}
    values = {}
    for name in ("organization", "name", "type", "enabled", "slug", "integration", "created_at", "updated_at"):
        if name in fields:
            values[name] = getattr(use_case, name)
    return values


def test_secret_key_and_sqlite_file_are_created_0600(tmp_path):
    env = {**os.environ, "ERPINTEGRATION_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "erpintegration.settings"}
    for name in ("SECRET_KEY", "DATABASE_URL"):
        env.pop(name, None)
    code = "import django; django.setup(); from django.db import connection; connection.ensure_connection()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    for name in ("secret_key", "db.sqlite3"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"


def test_download_signatures_are_redacted_in_the_access_log():
    from erpintegration.gunicorn_logging import RedactingLogger, redact

    assert redact("GET /download?orgId=o&integrationId=i&expires=1&signature=abcDEF123 HTTP/1.1") == \
        "GET /download?orgId=o&integrationId=i&expires=1&signature=[redacted] HTTP/1.1"
    logger = RedactingLogger.__new__(RedactingLogger)

    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/download?a=1&signature=xyz", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/download", "QUERY_STRING": "a=1&signature=xyz"}
    logger.cfg = type("Cfg", (), {"errorlog": "-", "accesslog": "-"})()
    class Request:
        headers = []

    atoms = logger.atoms(Response(), Request(), environ, timedelta(seconds=0))
    assert "xyz" not in atoms["r"] and "xyz" not in atoms["q"]
    assert logging  # the logger class is what deploy/gunicorn.conf.py configures
    conf = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert 'logger_class = "erpintegration.gunicorn_logging.RedactingLogger"' in conf
