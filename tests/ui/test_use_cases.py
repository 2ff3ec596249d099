"""Use-case pages: create per type, the editor (save with a change description, problems by path),
enable toggle, delete, history, diff and restore; roles and isolation."""
import json

import pytest

from integrations.models import UseCase, UseCaseHistory
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org)


@pytest.fixture
def use_case(integration):
    return UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")


def url(use_case, suffix=""):
    return f"/integrations/{use_case.integration_id}/use-cases/{use_case.pk}/{suffix}"


def save(client, use_case, configuration, description="Map the name", **extra):
    data = {"name": use_case.name, "enabled": "on", "configuration": json.dumps(configuration),
            "change_description": description, **extra}
    return client.post(url(use_case), data)


@pytest.mark.parametrize("kind", ["inbound", "outbound", "file_proxy"])
def test_create_each_type(ui_client, integration, kind):
    response = ui_client("editor").post(
        f"/integrations/{integration.pk}/use-cases/new/", {"name": "Customer Changed", "type": kind, "enabled": "on"}
    )
    use_case = UseCase.objects.get(integration=integration)
    assert response.status_code == 302 and response["Location"] == url(use_case)
    assert use_case.type == kind and use_case.slug == "customer-changed" and use_case.enabled
    assert (use_case.configuration is not None) == (kind == "inbound")  # inbound starts from a template


def test_create_with_a_taken_slug_is_a_form_error(ui_client, integration, use_case):
    response = ui_client("editor").post(
        f"/integrations/{integration.pk}/use-cases/new/", {"name": "Other", "type": "inbound", "slug": use_case.slug}
    )
    assert response.status_code == 400 and b"already used" in response.content


def test_editor_renders_for_viewers_read_only(ui_client, use_case):
    page = ui_client("viewer").get(url(use_case))
    assert page.status_code == 200
    assert b"data-readonly" in page.content and b"Save version" not in page.content
    assert b"customer_number" in page.content


def test_save_creates_a_version_with_description_and_author(ui_client, use_case):
    client = ui_client("editor")
    configuration = {**use_case.configuration}
    configuration["entities"][0]["fields"].append({"attribute": "email", "field": "mail", "_type": "email"})
    response = save(client, use_case, configuration)
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert use_case.configuration["entities"][0]["fields"][-1]["attribute"] == "email"
    assert use_case.change_description == "Map the name"
    assert UseCaseHistory.objects.get(use_case=use_case).changed_by == str(client.user.pk)  # a user id


def test_save_needs_a_change_description(ui_client, use_case):
    response = save(ui_client("editor"), use_case, use_case.configuration, description="")
    assert response.status_code == 400 and b"This field is required" in response.content
    assert not UseCaseHistory.objects.exists()


def test_invalid_json_keeps_the_draft(ui_client, use_case):
    client = ui_client("editor")
    response = client.post(url(use_case), {"name": use_case.name, "configuration": '{"entities": [',
                                           "change_description": "x"})
    assert response.status_code == 400 and b"Not valid JSON" in response.content
    assert b"{&quot;entities&quot;: [" in response.content


def test_configuration_problems_come_back_with_their_paths(ui_client, use_case):
    bad = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"],
                         "fields": [{"attribute": "customer_number", "jsonataExpression": "$substring("}]}]}
    response = save(ui_client("editor"), use_case, bad)
    assert response.status_code == 400
    paths = [issue["path"] for issue in response.context["issues"]]
    assert any(path.startswith("configuration.entities[0].fields[0]") for path in paths), paths
    assert b'id="initial-issues"' in response.content
    use_case.refresh_from_db()
    assert use_case.configuration["entities"][0]["fields"][0] == {"attribute": "customer_number", "field": "customerId"}


def test_viewer_cannot_save(ui_client, use_case):
    response = save(ui_client("viewer"), use_case, {"entities": []})
    assert response.status_code == 403
    assert not UseCaseHistory.objects.exists()


def test_toggle(ui_client, use_case):
    client = ui_client("editor")
    client.post(url(use_case, "toggle/"))
    use_case.refresh_from_db()
    assert not use_case.enabled and use_case.change_description == "Disabled"
    assert ui_client("viewer").post(url(use_case, "toggle/")).status_code == 403


def test_delete(ui_client, use_case):
    client = ui_client("editor")
    assert b"cannot be undone" in client.get(url(use_case, "delete/")).content
    client.post(url(use_case, "delete/"))
    assert not UseCase.objects.filter(pk=use_case.pk).exists()


def make_versions(client, use_case, count):
    for index in range(count):
        configuration = json.loads(json.dumps(use_case.configuration))
        configuration["entities"][0]["fields"][1] = {"attribute": "first_name", "jsonataExpression": f"firstName & '{index}'"}
        assert save(client, use_case, configuration, description=f"Change {index}").status_code == 302


def test_history_lists_versions_newest_first_with_authors(ui_client, use_case):
    alice, bob = ui_client("editor"), ui_client("editor")
    make_versions(alice, use_case, 1)
    make_versions(bob, use_case, 1)
    page = ui_client("viewer").get(url(use_case, "history/"))
    versions = page.context["page"].versions
    assert [v.number for v in versions] == [3, 2, 1]
    assert [v.who for v in versions] == [bob.user.username, alice.user.username, ""]
    assert [v.change_description for v in versions][:2] == ["Change 0", "Change 0"]
    assert versions[0].is_current


def test_diff_highlights_the_changed_expression(ui_client, use_case):
    client = ui_client("editor")
    make_versions(client, use_case, 2)
    versions = client.get(url(use_case, "history/")).context["page"].versions
    response = client.get(url(use_case, "history/diff/"), {"from": versions[1].ref, "to": "current"})
    assert response.status_code == 200
    [change] = response.context["changes"]
    assert change.kind == "changed" and change.is_expression
    assert change.old == "firstName & '0'" and change.new == "firstName & '1'"
    assert b"JSONata" in response.content


def test_restore_is_a_new_version(ui_client, use_case):
    client = ui_client("editor")
    original = json.loads(json.dumps(use_case.configuration))
    make_versions(client, use_case, 1)
    oldest = UseCaseHistory.objects.get(use_case=use_case)
    response = client.post(url(use_case, f"history/{oldest.pk}/restore/"))
    assert response.status_code == 302
    use_case.refresh_from_db()
    assert use_case.configuration == original
    assert UseCaseHistory.objects.filter(use_case=use_case).count() == 2
    assert "Restored" in use_case.change_description


def test_viewer_cannot_restore(ui_client, use_case):
    make_versions(ui_client("editor"), use_case, 1)
    entry = UseCaseHistory.objects.get(use_case=use_case)
    assert ui_client("viewer").post(url(use_case, f"history/{entry.pk}/restore/")).status_code == 403


def test_unknown_history_ids_are_404(ui_client, use_case):
    client = ui_client("editor")
    assert client.get(url(use_case, "history/diff/"), {"from": "nope"}).status_code == 404
    assert client.post(url(use_case, "history/00000000-0000-0000-0000-000000000000/restore/")).status_code == 404


@pytest.mark.parametrize("suffix", ["", "history/", "delete/"])
def test_another_orgs_use_case_is_404(ui_client, suffix):
    foreign = UseCaseFactory(integration=IntegrationFactory(organization=OrganizationFactory()))
    client = ui_client("admin")
    assert client.get(url(foreign, suffix)).status_code == 404
    assert client.post(url(foreign, suffix or "toggle/")).status_code == 404
    assert UseCase.objects.filter(pk=foreign.pk, enabled=True).exists()


def test_use_case_of_own_integration_under_foreign_integration_path_is_404(ui_client, use_case):
    foreign = IntegrationFactory(organization=OrganizationFactory())
    response = ui_client("admin").get(f"/integrations/{foreign.pk}/use-cases/{use_case.pk}/")
    assert response.status_code == 404


def test_outbound_problems_are_listed_by_path(ui_client, integration):
    use_case = UseCaseFactory(integration=integration, type="outbound", configuration=None, slug="out")
    response = save(ui_client("editor"), use_case, {"event_catalog_event": "contract.created", "mappings": []})
    assert response.status_code == 400
    assert b"configuration.mappings" in response.content  # listed server-side too (works without JS)
    page = ui_client("viewer").get(url(use_case))
    assert b"Example configuration (outbound)" in page.content


def test_history_and_detail_pages_have_constant_query_counts(ui_client, integration, use_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ui_client("editor")
    make_versions(client, use_case, 2)
    client.get(url(use_case, "history/"))
    with CaptureQueriesContext(connection) as few:
        client.get(url(use_case, "history/"))
        client.get(f"/integrations/{integration.pk}/")
    make_versions(client, use_case, 12)
    UseCaseFactory.create_batch(5, integration=integration)
    with CaptureQueriesContext(connection) as many:
        client.get(url(use_case, "history/"))
        client.get(f"/integrations/{integration.pk}/")
    assert len(many) == len(few)


def test_history_pages_through_older_versions(ui_client, use_case):
    from integrations.setup import versions

    client = ui_client("editor")
    make_versions(client, use_case, versions.PAGE_SIZE + 2)
    first = client.get(url(use_case, "history/")).context["page"]
    assert first.total == versions.PAGE_SIZE + 3 and first.next_cursor
    numbers = [v.number for v in first.versions]
    second = client.get(url(use_case, "history/"), {"cursor": first.next_cursor}).context["page"]
    numbers += [v.number for v in second.versions]
    assert numbers == list(range(versions.PAGE_SIZE + 3, 0, -1))
    assert second.versions[-1].who == ""  # the creation
    assert second.versions[0].who == client.user.username


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_cannot_create_or_delete_use_cases(ui_client, integration, use_case, method):
    client = ui_client("viewer")
    create = getattr(client, method)(f"/integrations/{integration.pk}/use-cases/new/", {"name": "X", "type": "inbound"})
    delete = getattr(client, method)(url(use_case, "delete/"))
    assert create.status_code == delete.status_code == 403
    assert list(UseCase.objects.values_list("pk", flat=True)) == [use_case.pk]


def test_outbound_editor_offers_the_organisations_webhooks(ui_client, org, integration):
    from integrations.outbound.services.webhooks import create_webhook

    mine = create_webhook(org, {"name": "ERP receiver", "url": "https://erp.example.com/hook"})
    create_webhook(OrganizationFactory(), {"name": "Foreign receiver", "url": "https://other.example.com/hook"})
    use_case = UseCaseFactory(integration=integration, type="outbound", configuration=None, slug="out")
    page = ui_client("viewer").get(url(use_case))
    assert b"ERP receiver" in page.content and b"Foreign receiver" not in page.content
    assert str(getattr(mine, "webhook", mine).pk).encode() in page.content
