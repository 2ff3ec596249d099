"""Personas shared by all tests: an owner organisation with a token, another organisation, anonymous."""
from dataclasses import dataclass

import pytest
from django.db.backends.signals import connection_created
from rest_framework.test import APIClient

from erpintegration.tokens import issue_token
from tests.factories import MembershipFactory, OrganizationFactory

pytest_plugins = ["tests.connector_fixtures"]


@dataclass
class ApiPersona:
    organization: object
    token_id: str
    token: str
    client: APIClient


def make_api_persona(organization=None, name="test token", scopes=None, created_by=None) -> ApiPersona:
    """A client with a fresh token (all scopes unless ``scopes``; ``created_by`` a user or none)."""
    organization = organization or OrganizationFactory()
    issued = issue_token(organization, name, created_by=created_by, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    return ApiPersona(organization, issued.token.id, issued.plaintext, client)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test users' passwords with MD5: the default PBKDF2 costs a quarter second per user, and these
    passwords protect nothing. The defaults stay listed so a hash made before the override still verifies."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def owner(db) -> ApiPersona:
    """An organisation and a client authenticated with one of its tokens."""
    return make_api_persona()


@pytest.fixture
def other_org(db) -> ApiPersona:
    """A second organisation, to prove isolation."""
    return make_api_persona()


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def member_factory(db):
    """Log-in users: ``member_factory(role="viewer", organization=org)``."""
    return MembershipFactory


def _sqlite_shared_cache_reads_without_locks(sender, connection, **kwargs):
    """The SQLite test database is in memory with a shared cache, where a reader of a table that another
    thread is writing gets "database table is locked" at once (no busy wait). Live-server tests with work
    on a background thread (imports on the embedded default) read while that thread writes: let readers
    read without table locks, as readers of the file database in WAL mode would."""
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict.get("NAME", "")) + str(
            connection.settings_dict.get("TEST", {}).get("NAME") or ""):
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


connection_created.connect(_sqlite_shared_cache_reads_without_locks)
