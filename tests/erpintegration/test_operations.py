import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_openapi_schema_and_docs_served_locally(client):
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(owner):
    response = owner.client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.django_db
def test_oversized_body_is_413(owner, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = owner.client.post("/v1/integrations", {"name": "x" * 200}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_bootstrap_creates_admin_once(db, capsys):
    from django.core.management import call_command

    call_command("bootstrap", "--port", "8123")
    first = capsys.readouterr().out
    assert "username    admin" in first and "create_token" in first
    call_command("bootstrap", "--port", "8123")
    assert "password" not in capsys.readouterr().out


@pytest.mark.django_db
def test_csrf_failure_is_a_friendly_page():
    from django.test import Client

    from tests.factories import MembershipFactory

    membership = MembershipFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(membership.user)
    response = browser.post("/logout/")
    assert response.status_code == 403
    assert b"Reload the page" in response.content and b"<html" in response.content
