"""Personas shared by all tests: an owner organisation with a token, another organisation, anonymous."""
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from erpintegration.tokens import issue_token
from tests.factories import MembershipFactory, OrganizationFactory


@dataclass
class ApiPersona:
    organization: object
    token_id: str
    token: str
    client: APIClient


def make_api_persona(organization=None, name="test token") -> ApiPersona:
    organization = organization or OrganizationFactory()
    issued = issue_token(organization, name)
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
