"""The entity-schema registry: service validation and the page (viewer reads, editor writes, org isolation)."""
import pytest

from entities.models import EntitySchema
from entities.services import schema_registry
from erpintegration.exceptions import ValidationFailed
from tests.factories import MembershipFactory, OrganizationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs, field", [
    ({"slug": "Price"}, "slug"),
    ({"slug": "price", "conditions": ["zone", "bad name"]}, "conditions"),
    ({"slug": "price", "conditions": ["zone"], "overridable": ["zone"]}, "overridable"),
    ({"slug": "price", "attributes": ["code"], "conditions": ["zone"]}, "attributes"),
    ({"slug": "price", "version_attribute": "1x"}, "version_attribute"),
])
def test_bad_registrations_name_the_field(kwargs, field):
    org = OrganizationFactory()
    with pytest.raises(ValidationFailed, match=f"^{field}:"):
        schema_registry.save_schema(org, **kwargs)
    assert not EntitySchema.objects.exists()


@pytest.fixture
def member(client, db):
    def make(role, organization=None):
        membership = MembershipFactory(role=role, organization=organization or OrganizationFactory())
        client.force_login(membership.user)
        return membership
    return make


def test_editor_registers_and_edits_a_schema(client, member):
    membership = member("editor")
    response = client.post("/entity-schemas/new/", {"slug": "price", "conditions": "zone, customer_type",
                                                     "overridable": "unit_amount", "attributes": ""})
    assert response.status_code == 302
    schema = EntitySchema.objects.get(organization=membership.organization)
    assert schema.as_dict() == {"slug": "price", "attributes": [], "conditions": ["zone", "customer_type"],
                                "overridable": ["unit_amount"], "version_attribute": None}
    page = client.get("/entity-schemas/")
    assert b"customer_type" in page.content
    response = client.post("/entity-schemas/price/", {"slug": "price", "conditions": "zone",
                                                      "overridable": "zone"})
    assert response.status_code == 200 and b"is a condition" in response.content


def test_viewer_reads_only_and_other_org_is_404(client, member):
    editor = member("editor")
    schema_registry.save_schema(editor.organization, "price", conditions=["zone"])
    member("viewer", editor.organization)
    assert client.get("/entity-schemas/").status_code == 200
    assert client.post("/entity-schemas/new/", {"slug": "x"}).status_code == 403
    member("admin")
    assert client.get("/entity-schemas/price/").status_code == 404
    assert client.post("/entity-schemas/price/delete/").status_code == 404
    assert EntitySchema.objects.count() == 1
