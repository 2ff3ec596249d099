"""Array operations, relations and relation references."""
import pytest

from entities.models import Entity, EntityRelation
from tests.entities.helpers import actions, apply, contact, live
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def rel(schema, ids, tags=None):
    item = {"$entity_unique_ids": ids, "_schema": schema}
    if tags:
        item["_tags"] = tags
    return item


def one(org, schema="contact"):
    return live(org, schema).get()


@pytest.mark.parametrize(
    ("op", "expected"),
    [("_set", ["b", "c"]), ("_append", ["a", "b", "c"]), ("_append_all", ["a", "b", "b", "c"])],
)
def test_array_operations_against_the_stored_value(op, expected):
    org = OrganizationFactory()
    apply(org, contact({"n": "1"}, {"n": "1", "tags": ["a", "b"]}))
    apply(org, contact({"n": "1"}, {"tags": {op: ["b", "c"]}}))
    assert one(org).attributes["tags"] == expected


@pytest.mark.parametrize("op", ["_set", "_append", "_append_all"])
def test_array_operations_on_a_new_entity_act_as_set(op):
    org = OrganizationFactory()
    apply(org, contact({"n": "1"}, {"n": "1", "tags": {op: ["x", "x"]}}))
    assert one(org).attributes["tags"] == ["x", "x"]


def test_append_dedupes_objects_ignoring_item_ids():
    org = OrganizationFactory()
    apply(org, contact({"n": "1"}, {"n": "1", "email": [{"email": "a@b.c", "_id": "k1"}]}))
    report = apply(org, contact({"n": "1"}, {"email": {"_append": [{"email": "a@b.c"}, {"email": "d@e.f"}]}}))
    assert one(org).attributes["email"] == [{"email": "a@b.c", "_id": "k1"}, {"email": "d@e.f"}]
    assert actions(report) == [("contact", "updated")]
    again = apply(org, contact({"n": "1"}, {"email": {"_append": [{"email": "d@e.f"}]}}))
    assert actions(again) == [("contact", "no_change")]


def test_relation_creates_missing_entities_with_ids_and_tags():
    org = OrganizationFactory()
    report = apply(org, contact({"contract_number": "K1"}, {
        "contract_number": "K1",
        "customer": {"$relation": {"_set": [rel("contact", {"email.email": "a@b.c"}, ["billing"]),
                                            rel("contact", {"customer_number": "C-9"})]}},
    }, schema="contract"))
    assert sorted(actions(report)) == [("contact", "created"), ("contact", "created"), ("contract", "created")]
    contract = one(org, "contract")
    by_email = Entity.objects.get(schema="contact", attributes__email__0__email="a@b.c")
    by_number = Entity.objects.get(schema="contact", attributes__customer_number="C-9")
    assert by_email.attributes == {"email": [{"email": "a@b.c"}], "_tags": ["billing"]}
    assert contract.attributes["customer"] == {"$relation": [
        {"entity_id": str(by_email.pk), "_schema": "contact", "_tags": ["billing"]},
        {"entity_id": str(by_number.pk), "_schema": "contact"},
    ]}
    edges = EntityRelation.objects.filter(source=contract)
    assert {e.target_id for e in edges} == {by_email.pk, by_number.pk}


def test_relation_resolves_existing_entities_by_id_and_by_type():
    org = OrganizationFactory()
    existing = apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1",
                                                               "email": [{"email": "a@b.c"}]}))
    contact_id = existing.entity_outcomes[0].entity_id
    report = apply(org, contact({"contract_number": "K1"}, {
        "customer": {"$relation": {"_set": [rel("contact", {"_id": contact_id})]}},
        "payer": {"$relation": {"_set": [rel("contact", {"email.email": "a@b.c"})]}},
    }, schema="contract"))
    assert actions(report) == [("contract", "created")]
    attrs = one(org, "contract").attributes
    assert attrs["customer"]["$relation"][0]["entity_id"] == contact_id
    assert attrs["payer"]["$relation"][0]["entity_id"] == contact_id


@pytest.mark.parametrize(
    ("op", "expected"),
    [("_set", ["C-2", "C-3"]), ("_append", ["C-1", "C-2", "C-3"]), ("_append_all", ["C-1", "C-2", "C-2", "C-3"])],
)
def test_relation_operations(op, expected):
    org = OrganizationFactory()

    def items(*numbers):
        return [rel("contact", {"customer_number": n}) for n in numbers]

    apply(org, contact({"k": "1"}, {"k": "1", "people": {"$relation": {"_set": items("C-1", "C-2")}}},
                       schema="contract"))
    apply(org, contact({"k": "1"}, {"people": {"$relation": {op: items("C-2", "C-3")}}}, schema="contract"))
    stored = one(org, "contract").attributes["people"]["$relation"]
    numbers = [Entity.objects.get(pk=i["entity_id"]).attributes["customer_number"] for i in stored]
    assert numbers == expected
    contract = one(org, "contract")
    assert EntityRelation.objects.filter(source=contract).count() == len(expected)


def test_relation_is_all_or_nothing_per_attribute():
    org = OrganizationFactory()
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "DUP"})
    Entity.objects.create(organization=org, schema="contact", attributes={"customer_number": "DUP"})
    report = apply(org, contact({"k": "1"}, {
        "k": "1",
        "people": {"$relation": {"_set": [rel("contact", {"customer_number": "NEW"}),
                                          rel("contact", {"customer_number": "DUP"})]}},
        "owner": {"$relation": {"_set": [rel("contact", {"_id": "00000000-0000-0000-0000-000000000001"})]}},
    }, schema="contract"))
    assert actions(report) == [("contract", "created")]
    assert one(org, "contract").attributes == {"k": "1"}
    assert not Entity.objects.filter(attributes__customer_number="NEW").exists()  # no half-created items
    assert len(report.warnings) == 2
    assert all(w.startswith("UNIQUE_ID_LOOKUP_UNRESOLVABLE") for w in report.warnings)


def test_same_missing_item_twice_creates_one_entity():
    org = OrganizationFactory()
    item = rel("contact", {"customer_number": "C-1"})
    apply(org, contact({"k": "1"}, {"people": {"$relation": {"_append_all": [item, item]}}}, schema="contract"))
    assert live(org).count() == 1
    stored = one(org, "contract").attributes["people"]["$relation"]
    assert len(stored) == 2 and stored[0] == stored[1]


def test_relation_to_an_entity_upserted_later_in_the_same_event():
    org = OrganizationFactory()
    report = apply(
        org,
        contact({"k": "1"}, {"people": {"$relation": {"_set": [rel("contact", {"customer_number": "C-1"})]}}},
                schema="contract"),
        contact({"customer_number": "C-1"}, {"customer_number": "C-1", "first_name": "Ann"}, config_index=1),
    )
    assert actions(report) == [("contact", "created"), ("contract", "created"), ("contact", "updated")]
    assert one(org).attributes == {"customer_number": "C-1", "first_name": "Ann"}


def test_plain_value_replacing_a_relation_drops_its_edges():
    org = OrganizationFactory()
    apply(org, contact({"k": "1"}, {"people": {"$relation": {"_set": [rel("contact", {"customer_number": "C"})]}}},
                       schema="contract"))
    assert EntityRelation.objects.count() == 1
    apply(org, contact({"k": "1"}, {"people": None}, schema="contract"))
    assert EntityRelation.objects.count() == 0


def ref(ids, value, operation=None, path="address", schema="contact"):
    spec = {"attribute": path, "value": value}
    if operation:
        spec["operation"] = operation
    return {"$entity_unique_ids": ids, "_schema": schema, "path": path, "value": spec}


def test_relation_ref_creates_target_writes_value_and_stores_reference():
    org = OrganizationFactory()
    address = {"street": "Main 1", "city": "Köln"}
    report = apply(org, contact({"k": "1"}, {
        "k": "1", "billing_address": {"$relation_ref": {"_set": [ref({"customer_number": "C-1"}, address)]}},
    }, schema="contract"))
    assert sorted(actions(report)) == [("contact", "created"), ("contract", "created")]
    target = one(org)
    stored_address = target.attributes["address"]
    assert len(stored_address) == 1 and stored_address[0]["street"] == "Main 1" and stored_address[0]["_id"]
    refs = one(org, "contract").attributes["billing_address"]["$relation_ref"]
    assert refs == [{"entity_id": str(target.pk), "path": "address", "_id": stored_address[0]["_id"]}]
    assert EntityRelation.objects.filter(kind="relation_ref").count() == 1

    # the same address again keeps the item _id (deep equality ignoring _id); no change anywhere
    again = apply(org, contact({"k": "1"}, {
        "billing_address": {"$relation_ref": {"_set": [ref({"customer_number": "C-1"}, dict(address))]}},
    }, schema="contract"))
    assert actions(again) == [("contract", "no_change")]
    assert one(org).attributes["address"] == stored_address


def test_relation_ref_value_operations_on_the_target():
    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1",
                                                    "address": [{"street": "Old", "_id": "old"}]}))
    apply(org, contact({"k": "1"}, {"a": {"$relation_ref": {"_append": [
        ref({"customer_number": "C-1"}, {"street": "New"}, "_append")]}}}, schema="contract"))
    streets = [(a["street"], a["_id"]) for a in one(org).attributes["address"]]
    assert streets[0] == ("Old", "old") and streets[1][0] == "New"
    new_id = streets[1][1]
    # _append of an existing value references the existing item
    apply(org, contact({"k": "2"}, {"a": {"$relation_ref": {"_set": [
        ref({"customer_number": "C-1"}, {"street": "Old"}, "_append")]}}}, schema="contract"))
    k2 = live(org, "contract").get(attributes__k="2")
    assert k2.attributes["a"]["$relation_ref"][0]["_id"] == "old"
    # _set on the target replaces the list but keeps the _id of a deep-equal item
    apply(org, contact({"k": "3"}, {"a": {"$relation_ref": {"_set": [
        ref({"customer_number": "C-1"}, {"street": "New"}, "_set")]}}}, schema="contract"))
    assert one(org).attributes["address"] == [{"street": "New", "_id": new_id}]
    # _append_all adds a duplicate with its own _id
    apply(org, contact({"k": "4"}, {"a": {"$relation_ref": {"_set": [
        ref({"customer_number": "C-1"}, {"street": "New"}, "_append_all")]}}}, schema="contract"))
    addresses = one(org).attributes["address"]
    assert [a["street"] for a in addresses] == ["New", "New"] and addresses[0]["_id"] != addresses[1]["_id"]


@pytest.mark.parametrize(("op", "count"), [("_set", 1), ("_append", 2), ("_append_all", 3)])
def test_relation_ref_operations_on_the_main_entity(op, count):
    org = OrganizationFactory()

    def refs(*streets):
        return [ref({"customer_number": "C-1"}, {"street": s}) for s in streets]

    apply(org, contact({"k": "1"}, {"a": {"$relation_ref": {"_set": refs("S1")}}}, schema="contract"))
    apply(org, contact({"k": "1"}, {"a": {"$relation_ref": {op: refs("S1", "S2")[1:] if op == "_set" else
                                                            refs("S1", "S2")}}}, schema="contract"))
    stored = one(org, "contract").attributes["a"]["$relation_ref"]
    assert len(stored) == count
    if op == "_append":
        assert len({(r["entity_id"], r["_id"]) for r in stored}) == 2
