"""Modes delete/purge, prune scopes (relations either direction, query), atomicity, recycle bin."""
from datetime import timedelta

import pytest
from django.utils import timezone

from entities.models import Entity, EntityRelation
from entities.services import StoreError, purge_expired_deleted_entities, restore_entity
from erpintegration.exceptions import NotFound
from integrations.mapping.results import PruneScope
from tests.entities.helpers import actions, apply, contact, live
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def rel(schema, ids, tags=None):
    item = {"$entity_unique_ids": ids, "_schema": schema}
    if tags:
        item["_tags"] = tags
    return item


def test_delete_is_soft_and_hides_from_lookups():
    org = OrganizationFactory()
    entity_id = apply(org, contact({"customer_number": "C-1"})).entity_outcomes[0].entity_id
    report = apply(org, contact({"customer_number": "C-1"}, {"first_name": "ignored"}, mode="delete"),
                   event_id="del")
    assert actions(report) == [("contact", "deleted")]
    entity = Entity.objects.get(pk=entity_id)
    assert entity.deleted_at is not None and entity.last_event_id == "del"
    assert "first_name" not in entity.attributes  # delete uses only the unique ids
    # a deleted entity is not found again: delete is a no-op, upsert creates a new one
    assert actions(apply(org, contact({"customer_number": "C-1"}, mode="delete"))) == [("contact", "no_change")]
    assert apply(org, contact({"customer_number": "C-1"}, mode="delete")).entity_outcomes[0].entity_id is None
    new = apply(org, contact({"customer_number": "C-1"})).entity_outcomes[0]
    assert new.action == "created" and new.entity_id != entity_id


def test_purge_is_hard_and_removes_edges():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"account": {"$relation": {"_set": [rel("account", {"n": "A"})]}}}))
    assert EntityRelation.objects.count() == 1
    report = apply(org, contact({"customer_number": "C-1"}, mode="purge"))
    assert actions(report) == [("contact", "purged")]
    assert not Entity.objects.filter(schema="contact").exists()
    assert EntityRelation.objects.count() == 0


def test_restore_within_retention_and_purge_after():
    org, other = OrganizationFactory(), OrganizationFactory()
    entity_id = apply(org, contact({"customer_number": "C-1"})).entity_outcomes[0].entity_id
    apply(org, contact({"customer_number": "C-1"}, mode="delete"))
    with pytest.raises(NotFound):
        restore_entity(other, entity_id)
    restored = restore_entity(org, entity_id)
    assert restored.deleted_at is None and live(org).count() == 1
    with pytest.raises(NotFound):
        restore_entity(org, entity_id)  # not deleted any more

    apply(org, contact({"customer_number": "C-1"}, mode="delete"))
    Entity.objects.filter(pk=entity_id).update(deleted_at=timezone.now() - timedelta(days=31))
    with pytest.raises(NotFound):
        restore_entity(org, entity_id)
    keep = apply(org, contact({"customer_number": "C-2"}, mode="upsert")).entity_outcomes[0].entity_id
    apply(org, contact({"customer_number": "C-2"}, mode="delete"))
    assert purge_expired_deleted_entities() == 1
    assert not Entity.objects.filter(pk=entity_id).exists()
    assert Entity.objects.filter(pk=keep).exists()  # deleted yesterday: still restorable


def contracts_of(account_n, numbers, mode="upsert-prune-scope-delete", config_index=1):
    """Contracts related to an account by a relation stored on the contract (contract -> account)."""
    return [
        contact({"contract_number": n},
                {"contract_number": n, "account": {"$relation": {"_set": [rel("account", {"n": account_n})]}}},
                mode=mode, config_index=config_index, schema="contract")
        for n in numbers
    ]


def scope(action="delete", config_index=1, account_n="A", mode="relations"):
    return PruneScope(entity_schema="contract", action=action, scope_mode=mode, config_index=config_index,
                      scope_schema="account", scope_unique_ids={"n": account_n})


def test_prune_scope_relations_reverse_direction_delete():
    org = OrganizationFactory()
    apply(org, *contracts_of("A", ["K1", "K2", "K3"], mode="upsert"))
    apply(org, *contracts_of("B", ["K9"], mode="upsert"))
    report = apply(org, *contracts_of("A", ["K1", "K3"]), prune_scopes=[scope()])
    assert sorted(a for _, a in actions(report)) == ["no_change", "no_change", "pruned_deleted"]
    pruned = [o for o in report.entity_outcomes if o.action == "pruned_deleted"][0]
    assert Entity.objects.get(pk=pruned.entity_id).attributes["contract_number"] == "K2"
    assert sorted(e.attributes["contract_number"] for e in live(org, "contract")) == ["K1", "K3", "K9"]


def test_prune_scope_relations_forward_direction_purge():
    org = OrganizationFactory()
    # the account holds the relations to its contracts (account -> contract)
    def account(numbers, mode="upsert"):
        return contact({"n": "A"}, {"n": "A", "contracts": {"$relation": {"_append": [
            rel("contract", {"contract_number": n}) for n in numbers]}}}, schema="account", mode=mode)

    apply(org, account(["K1", "K2"]))
    assert live(org, "contract").count() == 2
    report = apply(
        org, account(["K1"]),
        contact({"contract_number": "K1"}, mode="upsert-prune-scope-purge", config_index=1, schema="contract"),
        prune_scopes=[scope(action="purge")],
    )
    assert ("contract", "pruned_purged") in actions(report)
    assert [e.attributes["contract_number"] for e in Entity.objects.filter(schema="contract")] == ["K1"]


def test_empty_item_list_prunes_the_whole_scope():
    org = OrganizationFactory()
    apply(org, *contracts_of("A", ["K1", "K2"], mode="upsert"))
    report = apply(org, prune_scopes=[scope()])
    assert actions(report) == [("contract", "pruned_deleted")] * 2
    assert live(org, "contract").count() == 0
    assert live(org, "account").count() == 1  # the scope entity itself stays


def test_missing_scope_entity_prunes_nothing_and_warns():
    org = OrganizationFactory()
    apply(org, *contracts_of("A", ["K1", "K2"], mode="upsert"))
    report = apply(org, prune_scopes=[scope(account_n="nope")])
    assert report.entity_outcomes == []
    assert len(report.warnings) == 1 and "not found" in report.warnings[0]
    assert live(org, "contract").count() == 2


def test_prune_scope_query_mode():
    org = OrganizationFactory()
    for n, region in (("K1", "north"), ("K2", "north"), ("K3", "south")):
        apply(org, contact({"contract_number": n}, {"contract_number": n, "region": region}, schema="contract"))
    keep = contact({"contract_number": "K1"}, {"contract_number": "K1", "region": "north"},
                   mode="upsert-prune-scope-delete", config_index=0, schema="contract")
    report = apply(org, keep, prune_scopes=[PruneScope(
        entity_schema="contract", action="delete", scope_mode="query", config_index=0,
        query={"region": "north"})])
    assert sorted(a for _, a in actions(report)) == ["no_change", "pruned_deleted"]
    assert sorted(e.attributes["contract_number"] for e in live(org, "contract")) == ["K1", "K3"]


def test_prune_keeps_only_upserts_of_its_own_configuration():
    org = OrganizationFactory()
    apply(org, *contracts_of("A", ["K1", "K2"], mode="upsert"))
    # K2 is upserted by another configuration (index 5): it does not count for the scope of config 1
    report = apply(org, *contracts_of("A", ["K1"]), *contracts_of("A", ["K2"], mode="upsert", config_index=5),
                   prune_scopes=[scope()])
    assert ("contract", "pruned_deleted") in actions(report)
    assert [e.attributes["contract_number"] for e in live(org, "contract")] == ["K1"]


def test_failure_in_the_middle_leaves_nothing_written():
    org = OrganizationFactory()
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "DUP"})
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "DUP"})
    apply(org, contact({"customer_number": "C-0"}, {"customer_number": "C-0", "v": 1}))
    before = {str(e.pk): e.attributes for e in Entity.objects.all()}
    with pytest.raises(StoreError) as err:
        apply(org,
              contact({"customer_number": "C-0"}, {"v": 2}),
              contact({"customer_number": "C-1"}, {"x": {"$relation": {"_set": [rel("account", {"n": "A"})]}}}),
              contact({"customer_number": "DUP"}, {"v": 3}),
              contact({"customer_number": "C-2"}))
    assert err.value.code == "UNIQUE_ID_MULTIPLE_MATCHES"
    assert {str(e.pk): e.attributes for e in Entity.objects.all()} == before
    assert EntityRelation.objects.count() == 0


def test_unknown_mode_is_an_error():
    org = OrganizationFactory()
    with pytest.raises(StoreError) as err:
        apply(org, contact({"customer_number": "C-1"}, mode="merge"))
    assert err.value.code == "INVALID_ENTITY_UPDATE"
    assert not Entity.objects.exists()


def test_purge_command_and_admin_pages(admin_client):
    from io import StringIO

    from django.core.management import call_command

    org = OrganizationFactory()
    entity_id = apply(org, contact({"customer_number": "C-1"})).entity_outcomes[0].entity_id
    apply(org, contact({"customer_number": "C-1"}, mode="delete"))
    Entity.objects.filter(pk=entity_id).update(deleted_at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("purge_deleted_entities", stdout=out)
    assert "Purged 1 entities" in out.getvalue()
    assert not Entity.objects.exists()
    apply(org, contact({"customer_number": "C-2"}))
    entity = Entity.objects.get()
    assert admin_client.get("/admin/entities/entity/").status_code == 200
    assert admin_client.get(f"/admin/entities/entity/{entity.pk}/change/").status_code == 200
    assert admin_client.get("/admin/entities/meterreading/").status_code == 200


def test_purge_task_empties_the_recycle_bin():
    from entities.tasks import purge_deleted_entities

    org = OrganizationFactory()
    entity_id = apply(org, contact({"customer_number": "C-1"}, mode="upsert")).entity_outcomes[0].entity_id
    apply(org, contact({"customer_number": "C-1"}, mode="delete"))
    Entity.objects.filter(pk=entity_id).update(deleted_at=timezone.now() - timedelta(days=30, minutes=1))
    assert purge_deleted_entities.apply().get() == 1
    assert not Entity.objects.exists()
