"""A relation to an entity the same event upserted just before is served from that upsert (no second lookup),
and gives exactly what a fresh lookup would: anything else written to that schema since forgets it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Entity, EntityRelation
from tests.entities.helpers import actions, apply, contact, live
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

CUSTOMER = {"email.email": "a@b.c"}


def customer(attributes=None, ids=None):
    ids = ids or CUSTOMER
    return contact(ids, attributes if attributes is not None else {"email": [{"email": "a@b.c"}], "name": "Ada"})


def contract(number="K1", ids=None, config_index=1):
    item = {"$entity_unique_ids": ids or CUSTOMER, "_schema": "contact"}
    return contact({"contract_number": number},
                   {"contract_number": number, "customer": {"$relation": {"_set": [item]}}},
                   schema="contract", config_index=config_index)


def entity_lookups(queries) -> int:
    """Lookups by unique ids: JSON containment (PostgreSQL) or json_each (SQLite)."""
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
               and ("@>" in q["sql"] or "json_each" in q["sql"]))


@pytest.mark.parametrize("existing", [False, True])
def test_contract_relates_to_the_customer_upserted_by_the_same_event(existing):
    org = OrganizationFactory()
    if existing:
        apply(org, customer())
    with CaptureQueriesContext(connection) as queries:
        report = apply(org, customer(), contract())
    person = live(org).get()
    agreement = live(org, "contract").get()
    assert agreement.attributes["customer"] == {"$relation": [{"entity_id": str(person.id), "_schema": "contact"}]}
    assert list(EntityRelation.objects.values_list("source_id", "target_id")) == [(agreement.id, person.id)]
    assert actions(report) == [("contact", "no_change" if existing else "created"), ("contract", "created")]
    assert entity_lookups(queries) == 2  # the customer's and the contract's own lookups, not the relation's


def test_another_entity_taking_the_identity_meanwhile_makes_the_relation_ambiguous():
    """A second contact written after the customer (through another id) also answers its email: a lookup finds
    two, so the relation is unresolvable, as it would be with a fresh lookup."""
    org = OrganizationFactory()
    twin = contact({"customer_number": "C-2"}, {"customer_number": "C-2", "email": [{"email": "a@b.c"}]})
    report = apply(org, customer(), twin, contract())
    assert live(org).count() == 2
    assert "customer" not in live(org, "contract").get().attributes
    assert any("UNIQUE_ID_LOOKUP_UNRESOLVABLE" in w for w in report.warnings)


def test_an_upsert_whose_attributes_do_not_answer_its_ids_is_looked_up_again():
    """Ids say a@b.c but the attributes replace the email: a lookup of a@b.c no longer finds the customer, so
    the relation creates a new contact, as it would with a fresh lookup."""
    org = OrganizationFactory()
    apply(org, customer())
    report = apply(org, customer({"email": [{"email": "new@b.c"}]}), contract())
    assert sorted(actions(report)) == [("contact", "created"), ("contact", "updated"), ("contract", "created")]
    related = live(org, "contract").get().attributes["customer"]["$relation"][0]["entity_id"]
    assert Entity.objects.get(pk=related).attributes == {"email": [{"email": "a@b.c"}]}


def test_a_deleted_customer_is_not_related():
    org = OrganizationFactory()
    report = apply(org, customer(), contact(CUSTOMER, mode="delete"), contract())
    created = [o for o in report.entity_outcomes if o.action == "created" and o.entity_schema == "contact"]
    assert len(created) == 2  # the customer, then (after its delete) a new one for the relation
    related = live(org, "contract").get().attributes["customer"]["$relation"][0]["entity_id"]
    assert related == created[1].entity_id


def test_edges_are_rebuilt_in_order_leaving_out_purged_targets():
    org = OrganizationFactory()
    items = [{"$entity_unique_ids": {"customer_number": n}, "_schema": "contact"} for n in ("A", "B")]
    apply(org, contact({"contract_number": "K1"}, {"contract_number": "K1", "customer": {"$relation": {"_set": items}}},
                       schema="contract"))
    apply(org, contact({"customer_number": "B"}, mode="purge"))
    more = [{"$entity_unique_ids": {"customer_number": "C"}, "_schema": "contact"}]
    apply(org, contact({"contract_number": "K1"}, {"customer": {"$relation": {"_append": more}}}, schema="contract"))
    stored = [item["entity_id"] for item in live(org, "contract").get().attributes["customer"]["$relation"]]
    assert len(stored) == 3  # the purged one stays in the attribute, but gets no edge
    numbers = {str(e.id): e.attributes["customer_number"] for e in live(org)}
    edges = EntityRelation.objects.order_by("id").values_list("target_id", flat=True)
    assert [numbers[str(target)] for target in edges] == ["A", "C"]
