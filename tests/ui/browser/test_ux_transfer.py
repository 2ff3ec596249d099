"""Issue 15, item 10: export an integration's use cases in one organisation and import them in another,
through the pages (download, upload)."""
import json

import pytest

from integrations.models import Integration, UseCase
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_then_import(page, shot, login, tmp_path):
    from playwright.sync_api import expect

    user = UserFactory(username="consultant")
    staging, production = OrganizationFactory(name="Staging"), OrganizationFactory(name="Production")
    MembershipFactory(user=user, organization=staging, role="editor")
    integration = IntegrationFactory(organization=staging, name="SAP IS-U")
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    login("consultant")

    page.goto(f"/integrations/{integration.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export use cases").click()
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    document = json.loads(path.read_text())
    assert document["use_cases"][0]["slug"] == "customer-changed"

    MembershipFactory(user=user, organization=production, role="editor")
    page.goto("/integrations/")
    page.get_by_label("Organisation").select_option(label="Production")
    page.wait_for_load_state()
    page.get_by_role("link", name="Import an integration").click()
    page.get_by_label("Export file (.json)").set_input_files(str(path))
    shot("01-import-form")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 1 use case(s) created, 0 updated.")).to_be_visible()
    expect(page.get_by_role("heading", name="SAP IS-U")).to_be_visible()
    shot("02-imported")
    imported = Integration.objects.get(organization=production)
    assert UseCase.objects.get(integration=imported).slug == "customer-changed"
