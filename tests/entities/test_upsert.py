"""Upsert by unique identifiers: create, patch, no change, multiple matches, direct _id, _type lookups."""
import pytest

from entities.models import Entity
from entities.services import StoreError
from tests.entities.helpers import actions, apply, contact, live
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_creates_then_patches_then_reports_no_change():
    org = OrganizationFactory()
    first = apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "first_name": "Ann"}),
                  event_id="e1", integration_id="i1")
    assert actions(first) == [("contact", "created")]
    entity = Entity.objects.get(pk=first.entity_outcomes[0].entity_id)
    assert entity.attributes == {"customer_number": "C-1", "first_name": "Ann"}
    assert (entity.last_event_id, entity.last_integration_id) == ("e1", "i1")
    assert entity.last_synced_at is not None

    second = apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "last_name": "Lee"}),
                   event_id="e2")
    assert actions(second) == [("contact", "updated")]
    entity.refresh_from_db()
    assert entity.attributes == {"customer_number": "C-1", "first_name": "Ann", "last_name": "Lee"}
    assert entity.last_event_id == "e2"

    synced_before = entity.last_synced_at
    third = apply(org, contact({"customer_number": "C-1"}, {"first_name": "Ann"}), event_id="e3")
    assert actions(third) == [("contact", "no_change")]
    assert third.entity_outcomes[0].as_dict() == {
        "entity_schema": "contact", "entity_id": str(entity.pk), "action": "no_change",
        "unique_identifiers": {"customer_number": "C-1"}, "config_index": 0,
    }
    entity.refresh_from_db()
    assert entity.last_event_id == "e2"  # the event that last changed it
    assert entity.last_synced_at >= synced_before
    assert live(org).count() == 1


def test_explicit_null_clears_an_attribute():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "phone": "1"}))
    apply(org, contact({"customer_number": "C-1"}, {"phone": None}))
    assert live(org).get().attributes == {"customer_number": "C-1", "phone": None}


def test_and_over_identifiers_and_typed_values():
    org = OrganizationFactory()
    apply(org, contact({"a": "1", "b": 2}))
    report = apply(org, contact({"a": "1", "b": 3}))
    assert actions(report) == [("contact", "created")]  # b differs: a new entity
    assert actions(apply(org, contact({"a": "1", "b": 2}, {"x": True}))) == [("contact", "updated")]
    assert actions(apply(org, contact({"b": "2"}))) == [("contact", "created")]  # "2" is not 2


def test_schema_and_organization_scope_the_lookup():
    org, other = OrganizationFactory(), OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}))
    assert actions(apply(org, contact({"customer_number": "C-1"}, schema="account"))) == [("account", "created")]
    assert actions(apply(other, contact({"customer_number": "C-1"}))) == [("contact", "created")]
    assert live(org).count() == 1 and live(other).count() == 1


def test_multiple_matches_is_an_error():
    org = OrganizationFactory()
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "C-1"})
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "C-1"})
    with pytest.raises(StoreError) as err:
        apply(org, contact({"customer_number": "C-1"}, {"first_name": "x"}))
    assert err.value.code == "UNIQUE_ID_MULTIPLE_MATCHES"
    assert err.value.details["entity_schema"] == "contact"
    assert len(err.value.details["entity_ids"]) == 2


def test_direct_id_lookup():
    org = OrganizationFactory()
    created = apply(org, contact({"customer_number": "C-1"}))
    entity_id = created.entity_outcomes[0].entity_id
    report = apply(org, contact({"_id": entity_id}, {"_id": entity_id, "first_name": "Bo"}))
    assert actions(report) == [("contact", "updated")]
    assert Entity.objects.get(pk=entity_id).attributes == {"customer_number": "C-1", "first_name": "Bo"}


@pytest.mark.parametrize("bad_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_direct_id_lookup_not_found(bad_id):
    org = OrganizationFactory()
    with pytest.raises(StoreError) as err:
        apply(org, contact({"_id": bad_id}, {"first_name": "Bo"}))
    assert err.value.code == "ENTITY_NOT_FOUND"


def test_direct_id_lookup_wrong_schema_or_org():
    org, other = OrganizationFactory(), OrganizationFactory()
    entity_id = apply(org, contact({"customer_number": "C-1"})).entity_outcomes[0].entity_id
    with pytest.raises(StoreError):
        apply(org, contact({"_id": entity_id}, {}, schema="account"))
    with pytest.raises(StoreError):
        apply(other, contact({"_id": entity_id}, {}))


def test_type_email_lookup_searches_repeatable_values():
    org = OrganizationFactory()
    report = apply(org, contact({"email.email": "a@b.c"}, {"email": [{"email": "a@b.c"}], "first_name": "A"}))
    assert actions(report) == [("contact", "created")]
    entity = live(org).get()
    # another stored address does not hide the match
    apply(org, contact({"email.email": "a@b.c"}, {"email": {"_append": [{"email": "x@y.z"}]}}))
    entity.refresh_from_db()
    assert entity.attributes["email"] == [{"email": "a@b.c"}, {"email": "x@y.z"}]
    assert actions(apply(org, contact({"email.email": "x@y.z"}, {"last_name": "B"}))) == [("contact", "updated")]
    assert actions(apply(org, contact({"email.email": "nobody@b.c"}, {}))) == [("contact", "created")]
    created = live(org).exclude(pk=entity.pk).get()
    assert created.attributes == {"email": [{"email": "nobody@b.c"}]}  # identity written on create


def test_type_phone_lookup_and_scalar_email_is_not_a_repeatable_match():
    org = OrganizationFactory()
    apply(org, contact({"phone.phone": "+49 1"}, {"phone": [{"phone": "+49 1", "_tags": ["mobile"]}]}))
    assert actions(apply(org, contact({"phone.phone": "+49 1"}, {"x": 1}))) == [("contact", "updated")]
    apply(org, contact({"login": "u1"}, {"login": "u1", "email": "plain@b.c"}))
    assert actions(apply(org, contact({"email.email": "plain@b.c"}, {}))) == [("contact", "created")]


def test_lookup_is_not_fooled_by_a_value_under_another_key():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "address": {"customer_number": "C-2"}}))
    assert actions(apply(org, contact({"customer_number": "C-2"}))) == [("contact", "created")]


def test_non_scalar_identifier_values_still_match():
    org = OrganizationFactory()
    apply(org, contact({"codes": ["a", "b"]}))
    assert actions(apply(org, contact({"codes": ["a", "b"]}, {"x": 1}))) == [("contact", "updated")]
