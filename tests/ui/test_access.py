"""Login required everywhere, the organisation switcher, and role checks."""
import pytest
from django.test import Client

from erpintegration.models import Role
from erpintegration.ui.access import SESSION_ORG_KEY
from tests.factories import IntegrationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

UI_PAGES = ["/", "/integrations/", "/entities/", "/entities/contact/", "/settings/tokens/", "/settings/members/"]


@pytest.mark.parametrize("path", UI_PAGES)
def test_every_page_redirects_anonymous_users_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


def test_login_page_renders_and_logs_in():
    user = UserFactory(username="consultant")
    MembershipFactory(user=user)
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    response = client.post("/login/", {"username": "consultant", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/integrations/"


def test_login_with_a_wrong_password_says_so():
    UserFactory(username="consultant")
    response = Client().post("/login/", {"username": "consultant", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_login_enforces_csrf():
    UserFactory(username="consultant")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "consultant", "password": "correct-horse-battery"})
    assert response.status_code == 403


def test_logout_needs_post_and_ends_the_session(ui_client):
    client = ui_client("viewer")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/integrations/").status_code == 302


def test_user_without_membership_sees_an_explanation():
    client = Client()
    client.force_login(UserFactory(username="lonely"))
    response = client.get("/integrations/")
    assert response.status_code == 403
    assert b"not a member of any organisation" in response.content


def test_org_switcher_changes_the_current_organisation(ui_client, org):
    client = ui_client("viewer")
    second = OrganizationFactory(name="Zeta Energie")
    MembershipFactory(user=client.user, organization=second, role=Role.ADMIN)
    IntegrationFactory(organization=org, name="Only in Nord")
    IntegrationFactory(organization=second, name="Only in Zeta")

    page = client.get("/integrations/")
    assert b"Only in Nord" in page.content and b"Only in Zeta" not in page.content
    assert b"Zeta Energie" in page.content  # offered in the switcher

    response = client.post("/organization/switch/", {"organization": second.id})
    assert response.status_code == 302
    assert client.session[SESSION_ORG_KEY] == second.id
    page = client.get("/integrations/")
    assert b"Only in Zeta" in page.content and b"Only in Nord" not in page.content


def test_org_switcher_refuses_an_organisation_the_user_is_not_in(ui_client, org):
    client = ui_client("viewer")
    foreign = OrganizationFactory()
    response = client.post("/organization/switch/", {"organization": foreign.id}, follow=True)
    assert b"not a member of that organisation" in response.content
    assert client.session[SESSION_ORG_KEY] == org.id


def test_org_switcher_ignores_foreign_redirect_targets(ui_client):
    client = ui_client("viewer")
    response = client.post(
        "/organization/switch/", {"organization": client.membership.organization_id, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_org_switch_requires_post(ui_client):
    assert ui_client("viewer").get("/organization/switch/").status_code == 405


@pytest.mark.parametrize("path", ["/settings/tokens/", "/settings/members/"])
@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_admin_pages_are_forbidden_below_admin(ui_client, path, role):
    response = ui_client(role).get(path)
    assert response.status_code == 403
    assert b"needs the admin role" in response.content


def test_admin_links_appear_only_for_admins(ui_client):
    assert b"/settings/tokens/" not in ui_client("editor").get("/integrations/").content
    assert b"/settings/tokens/" in ui_client("admin").get("/integrations/").content


def test_unknown_ui_path_renders_the_html_404(ui_client):
    response = ui_client("viewer").get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
