"""Use case services used by the API and the UI: slugs, history snapshots, restore, v2 sync."""
import uuid

import pytest

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import UseCase, UseCaseHistory
from integrations.setup import selectors
from integrations.setup.services import use_cases as services
from integrations.setup.services.use_cases import derive_slug
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Customer Sync", set(), "customer-sync"),
        ("Customer Sync", {"customer-sync"}, "customer-sync-2"),
        ("Customer Sync", {"customer-sync", "customer-sync-2"}, "customer-sync-3"),
        ("  _Ünïcode__ Name-", set(), "unicode__-name"),
        ("***", set(), "use-case"),
        ("", {"use-case"}, "use-case-2"),
        ("x" * 400, set(), "x" * 247),
    ],
)
def test_derive_slug(name, taken, expected):
    slug = derive_slug(name, taken)
    assert slug == expected
    assert len(slug) <= 255


def test_create_derives_slug_and_keeps_explicit_one():
    integration = IntegrationFactory()
    org = integration.organization
    derived = services.create_use_case(org, integration, {"name": "Meter Readings", "type": "inbound"})
    explicit = services.create_use_case(org, integration, {"name": "Meter Readings", "slug": "mr", "type": "inbound"})
    assert (derived.slug, explicit.slug) == ("meter-readings", "mr")
    assert derived.enabled is True


def test_create_for_another_orgs_integration_is_not_found():
    integration = IntegrationFactory()
    with pytest.raises(NotFound):
        services.create_use_case(OrganizationFactory(), integration, {"name": "x", "type": "inbound"})
    assert not UseCase.objects.exists()


def test_update_writes_snapshot_with_actor_in_same_transaction():
    use_case = UseCaseFactory(name="before")
    org = use_case.organization
    services.update_use_case(org, use_case, {"name": "after"}, actor="alice")
    entry = UseCaseHistory.objects.get()
    assert (entry.name, entry.changed_by, entry.integration_id) == ("before", "alice", use_case.integration_id)
    assert entry.created_at == use_case.created_at and entry.updated_at == use_case.updated_at


def test_failed_update_leaves_no_snapshot():
    use_case = UseCaseFactory(type="inbound")
    with pytest.raises(ValidationFailed):
        services.update_use_case(use_case.organization, use_case, {"type": "outbound"}, actor="bob")
    assert not UseCaseHistory.objects.exists()


def test_update_by_another_org_is_not_found():
    use_case = UseCaseFactory()
    with pytest.raises(NotFound):
        services.update_use_case(OrganizationFactory(), use_case, {"name": "x"})


def test_restore_is_a_new_version():
    use_case = UseCaseFactory(name="one", enabled=True)
    org = use_case.organization
    services.update_use_case(org, use_case, {"name": "two", "enabled": False}, actor="alice")
    first_version = selectors.use_case_history_page(org, use_case).entries[0]
    restored = services.restore_use_case_version(org, use_case, first_version.id, actor="carol")
    assert (restored.name, restored.enabled) == ("one", True)
    assert restored.slug == use_case.slug and "Restored" in restored.change_description
    history = selectors.use_case_history_page(org, use_case).entries
    assert [h.name for h in history] == ["two", "one"]
    assert history[0].changed_by == "carol"


def test_restore_unknown_or_foreign_history_is_not_found():
    use_case = UseCaseFactory()
    other = UseCaseFactory(integration=use_case.integration)
    services.update_use_case(other.organization, other, {"name": "x"})
    foreign_entry = UseCaseHistory.objects.get(use_case=other)
    for history_id in (uuid.uuid4(), "garbage", foreign_entry.id):
        with pytest.raises(NotFound):
            services.restore_use_case_version(use_case.organization, use_case, history_id, actor="x")


def test_delete_removes_history():
    use_case = UseCaseFactory()
    services.update_use_case(use_case.organization, use_case, {"name": "x"})
    services.delete_use_case(use_case.organization, use_case)
    assert not UseCase.objects.exists() and not UseCaseHistory.objects.exists()


def test_sync_creates_updates_and_deletes():
    integration = IntegrationFactory()
    org = integration.organization
    keep = UseCaseFactory(integration=integration, name="keep")
    drop = UseCaseFactory(integration=integration, name="drop")
    result = services.sync_use_cases(
        org,
        integration,
        [{"id": keep.id, "name": "kept", "type": "inbound", "enabled": True},
         {"name": "new", "type": "outbound", "enabled": False}],
        actor="dave",
    )
    assert [u.name for u in result] == ["kept", "new"]
    assert not UseCase.objects.filter(pk=drop.pk).exists()
    assert UseCaseHistory.objects.get().changed_by == "dave"


def test_history_selector_pages_with_cursor():
    use_case = UseCaseFactory()
    org = use_case.organization
    for number in range(7):
        services.update_use_case(org, use_case, {"name": f"n{number}"})
    first = selectors.use_case_history_page(org, use_case, page_size=3)
    second = selectors.use_case_history_page(org, use_case, cursor=first.next_cursor, page_size=3)
    third = selectors.use_case_history_page(org, use_case, cursor=second.next_cursor, page_size=3)
    names = [e.name for page in (first, second, third) for e in page.entries]
    assert names == ["n5", "n4", "n3", "n2", "n1", "n0", use_case.name]
    assert third.next_cursor is None


def test_history_selector_is_org_scoped():
    use_case = UseCaseFactory()
    services.update_use_case(use_case.organization, use_case, {"name": "x"})
    assert selectors.use_case_history_page(OrganizationFactory(), use_case).entries == []
