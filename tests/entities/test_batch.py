"""The set-based path for runs of plain upserts gives the same results as applying them one by one."""
import pytest

from entities.models import Entity
from entities.services import StoreError
from entities.services.batch import batch_key
from tests.entities.helpers import actions, apply, contact, live
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_run_of_creates_updates_and_no_changes():
    org = OrganizationFactory()
    apply(org, contact({"n": "1"}, {"n": "1", "v": 1}), contact({"n": "2"}, {"n": "2", "v": 2}))
    report = apply(org, contact({"n": "1"}, {"n": "1", "v": 1}), contact({"n": "2"}, {"v": 3}),
                   contact({"n": "3"}, {"n": "3", "tags": {"_append": ["a"]}}), event_id="e2")
    assert actions(report) == [("contact", "no_change"), ("contact", "updated"), ("contact", "created")]
    values = {e.attributes["n"]: e for e in live(org)}
    assert values["2"].attributes == {"n": "2", "v": 3} and values["2"].last_event_id == "e2"
    assert values["1"].last_event_id == "evt-1"  # unchanged by e2
    assert values["3"].attributes == {"n": "3", "tags": ["a"]}
    assert [o.entity_id for o in report.entity_outcomes][:2] == [str(values["1"].pk), str(values["2"].pk)]


def test_same_identity_twice_in_a_run_patches_the_entity_created_first():
    org = OrganizationFactory()
    report = apply(org, contact({"n": "1"}, {"n": "1", "a": 1}), contact({"n": "1"}, {"b": 2}))
    assert actions(report) == [("contact", "created"), ("contact", "updated")]
    assert live(org).get().attributes == {"n": "1", "a": 1, "b": 2}


def test_multiple_matches_inside_a_run_fails_the_whole_result():
    org = OrganizationFactory()
    Entity.objects.create(organization=org, schema="contact", attributes={"n": "D"})
    Entity.objects.create(organization=org, schema="contact", attributes={"n": "D"})
    with pytest.raises(StoreError) as err:
        apply(org, contact({"n": "1"}), contact({"n": "D"}, {"x": 1}), contact({"n": "3"}))
    assert err.value.code == "UNIQUE_ID_MULTIPLE_MATCHES"
    assert Entity.objects.count() == 2


def test_repeatable_identifiers_in_a_run():
    org = OrganizationFactory()
    apply(org, contact({"email.email": "a@x"}, {"email": [{"email": "a@x"}, {"email": "b@x"}]}))
    # one stored entity answers both identities: applied one by one, both patch it
    report = apply(org, contact({"email.email": "a@x"}, {"v": 1}), contact({"email.email": "b@x"}, {"w": 2}))
    assert actions(report) == [("contact", "updated"), ("contact", "updated")]
    assert live(org).get().attributes["v"] == 1 and live(org).get().attributes["w"] == 2


def test_attributes_adding_another_identity_fall_back_to_one_by_one():
    update = contact({"email.email": "a@x"}, {"email": {"_append": [{"email": "b@x"}]}})
    assert batch_key(update) is None
    org = OrganizationFactory()
    report = apply(org, update, contact({"email.email": "b@x"}, {"v": 1}))
    assert actions(report) == [("contact", "created"), ("contact", "updated")]
    assert live(org).count() == 1


def test_batch_key_rules():
    assert batch_key(contact({"n": "1"}, {"n": "1"})) == ("contact", ("n",))
    assert batch_key(contact({"n": 1}, {"n": 1.0})) is not None
    assert batch_key(contact({"n": "1"}, {"n": "2"})) is None
    assert batch_key(contact({"_id": "x"}, {})) is None
    assert batch_key(contact({"n": ["1"]}, {})) is None
    assert batch_key(contact({"n": "1"}, {"r": {"$relation": {"_set": []}}})) is None
