"""Log in, switch organisation, create and revoke a token, add a member - screenshotted step by step."""
import pytest

from tests.factories import IntegrationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_switch_org_tokens_and_members(page, shot, login):
    from playwright.sync_api import expect

    user = UserFactory(username="consultant")
    nord = OrganizationFactory(name="Stadtwerke Nord")
    zeta = OrganizationFactory(name="Zeta Energie")
    MembershipFactory(user=user, organization=nord, role="admin")
    MembershipFactory(user=user, organization=zeta, role="viewer")
    IntegrationFactory(organization=nord, name="SAP IS-U", description="Customers and contracts from SAP")

    page.goto("/integrations/")
    assert "/login/" in page.url
    shot("01-login")

    page.get_by_label("Username").fill("consultant")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    shot("02-login-error")

    login("consultant")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    expect(page.get_by_text("SAP IS-U")).to_be_visible()
    shot("03-integrations")

    page.get_by_role("link", name="Access tokens").click()
    page.get_by_label("Name").fill("SAP middleware production")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#issued-token-value").input_value()
    assert secret.startswith("api_")
    shot("04-token-created")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("revoked;")).to_be_visible()
    shot("05-token-revoked")

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("new.colleague@example.com")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_test_id("invite-link")).to_be_visible()
    shot("06-member-invited")

    page.get_by_label("Organisation").select_option(label="Zeta Energie")
    expect(page.get_by_text("Switched to Zeta Energie")).to_be_visible()
    expect(page.get_by_role("link", name="Access tokens")).to_have_count(0)  # viewer there
    shot("07-switched-org")

    page.goto("/settings/tokens/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("needs the admin role in Zeta Energie")).to_be_visible()
    shot("08-forbidden")

    page.set_viewport_size({"width": 420, "height": 800})
    page.goto("/integrations/")
    shot("09-narrow")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Integrations")).to_be_visible()
    shot("10-narrow-menu")
