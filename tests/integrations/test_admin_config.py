import pytest
from django.contrib.auth import get_user_model

from integrations.models import UseCaseHistory
from tests.factories import AppMappingFactory, IntegrationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    return client


def test_changelists_and_change_pages_render(admin_client):
    integration = IntegrationFactory()
    use_case = UseCaseFactory(integration=integration)
    mapping = AppMappingFactory(integration=integration)
    for url in ["/admin/integrations/integration/", f"/admin/integrations/integration/{integration.pk}/change/",
                "/admin/integrations/usecase/?type__exact=inbound", f"/admin/integrations/usecase/{use_case.pk}/change/",
                "/admin/integrations/usecasehistory/", "/admin/integrations/appmapping/?q=app",
                f"/admin/integrations/appmapping/{mapping.pk}/change/", "/admin/integrations/integration/?q=ERP"]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_edit_of_a_use_case_writes_history(admin_client):
    use_case = UseCaseFactory(enabled=True)
    response = admin_client.post(
        f"/admin/integrations/usecase/{use_case.pk}/change/",
        {"name": "Renamed", "change_description": "via admin"},  # enabled unchecked -> False
    )
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert use_case.name == "Renamed" and use_case.enabled is False
    entry = UseCaseHistory.objects.get(use_case=use_case)
    assert entry.enabled is True and entry.changed_by.isdigit()
