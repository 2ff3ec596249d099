"""Issue 17 proof: upload -> validate -> execute with the progress bar reaching 100 % -> entities visible.

The phases run on a thread of the live server (the embedded default's way), so the page really polls."""
import pytest

from entities.models import Entity
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.integrations.imports.conftest import PRODUCT_CONFIG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_validate_execute_in_the_browser(page, shot, login, settings, tmp_path):
    from playwright.sync_api import expect

    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    settings.IMPORTS_RUN_IN_THREAD = True
    settings.IMPORTS_BATCH_SIZE = 40
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    UseCaseFactory(integration=integration, name="Products", slug="products", configuration=PRODUCT_CONFIG)
    csv = tmp_path / "prices.csv"
    csv.write_text("Article No;Product Name;Price\n" + "".join(f"A-{i};Product {i};{i}.50\n" for i in range(400)))

    login("consultant")
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(csv))
    shot("01-file-chosen")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="prices.csv")).to_be_visible()
    expect(page.get_by_role("cell", name="Product 0", exact=True)).to_be_visible()
    expect(page.locator("[data-suggestions]")).to_contain_text("3 of 3")
    shot("02-preview-and-suggestions")

    page.get_by_role("button", name="Validate").click()
    expect(page.locator("[data-validation-report]")).to_contain_text("400 data rows", timeout=20_000)
    expect(page.locator("[data-import-badge]")).to_have_text("READY")
    shot("03-validation-report")

    page.get_by_role("button", name="Import 400 rows").click()
    expect(page.locator("[data-import-badge]")).to_have_text("IMPORTED", timeout=30_000)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-progress-text]")).to_contain_text("400 rows of 400 processed (100 %)")
    shot("04-imported")
    assert Entity.objects.filter(organization=org, schema="product").count() == 400

    page.goto("/entities/product/")
    expect(page.get_by_text("Product 399")).to_be_visible()
    shot("05-entities")
