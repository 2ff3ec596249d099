"""Logged-in Django test clients for the UI: ``ui_client(role)`` in an organisation."""
import pytest
from django.test import Client

from tests.factories import MembershipFactory, OrganizationFactory


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Stadtwerke Nord")


@pytest.fixture
def ui_client(org):
    """``ui_client("viewer")`` -> a Client logged in as a fresh member of ``org`` with that role."""

    def make(role="editor", organization=None):
        membership = MembershipFactory(role=role, organization=organization or org)
        client = Client(enforce_csrf_checks=False)
        client.force_login(membership.user)
        client.membership = membership
        client.user = membership.user
        return client

    return make
