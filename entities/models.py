"""The hub's entity store: entities (schema + JSON attributes), their relation edges, meter readings.

Lookups by unique identifiers run on ``attributes`` with JSON containment, backed on PostgreSQL by a GIN
``jsonb_path_ops`` index created in a vendor-conditional migration (see ``docs/entity-store.md``).
"""
import uuid

from django.db import models
from django.utils import timezone

from erpintegration.models import Organization


class Entity(models.Model):
    """One entity of a schema (``contact``, ``contract``, ``meter`` ...). ``deleted_at`` marks the recycle bin."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="entities")
    schema = models.CharField(max_length=100)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Sync status: the last time an event touched the entity, and the event/integration that last changed it.
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_event_id = models.CharField(max_length=64, blank=True, default="")
    last_integration_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name_plural = "entities"
        indexes = [
            models.Index(fields=["organization", "schema", "-created_at", "-id"], name="entity_org_schema_created"),
            models.Index(fields=["deleted_at"], name="entity_deleted_at"),
        ]

    def __str__(self) -> str:
        return f"{self.schema}:{self.id}"

class RelationKind(models.TextChoices):
    RELATION = "relation", "Relation"
    RELATION_REF = "relation_ref", "Relation reference"


class EntityRelation(models.Model):
    """An edge source -> target derived from a ``$relation``/``$relation_ref`` attribute of ``source``.

    Rebuilt whenever the attribute is written; it answers "entities related in either direction" for prune
    scopes and reverse lookups without scanning attributes.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="outgoing_relations")
    target = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="incoming_relations")
    attribute = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=RelationKind.choices, default=RelationKind.RELATION)

    class Meta:
        indexes = [
            models.Index(fields=["source", "attribute"], name="relation_source_attr"),
            models.Index(fields=["target"], name="relation_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -[{self.attribute}]-> {self.target_id}"


class MeterReading(models.Model):
    """A reading of a meter (and optionally one of its counters). Deletes are permanent (docs/entity-store.md,
    meter readings)."""

    SOURCES = ("ECP", "ERP", "360", "journey-submission")
    REASONS = ("regular", "irregular", "last", "first", "meter_change", "contract_change", "meter_adjustment")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meter_readings")
    meter = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="meter_readings")
    counter = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="counter_readings"
    )
    external_id = models.CharField(max_length=255, blank=True, default="")
    timestamp = models.DateTimeField()
    value = models.FloatField()
    source = models.CharField(max_length=32)
    REASON_MAX_LENGTH = 255
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True, default="")
    direction = models.CharField(max_length=32, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)  # attributes beyond the columns above
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_event_id = models.CharField(max_length=64, blank=True, default="")
    last_integration_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["meter", "counter", "external_id"], name="reading_meter_external_id"),
            models.Index(fields=["meter", "counter", "timestamp"], name="reading_meter_timestamp"),
        ]

    def __str__(self) -> str:
        return f"reading {self.external_id or self.id} of {self.meter_id}"


class EntitySyncState(models.Model):
    """When one integration last synced (checked) and last changed one entity, and its readings.

    Written by the entity store's write services in the transaction of the write itself (one set-based
    upsert per write call), so it is never ahead of or behind the entity. ``entity_id`` is no foreign key:
    a purged entity keeps its last state ("deleted by event X"). See docs/entity-sync-status.md.
    """

    OPERATIONS = ("create", "patch", "delete", "no-op")
    READING_OPERATIONS = ("upsert", "delete")

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    entity_id = models.UUIDField()
    integration_id = models.UUIDField()
    entity_slug = models.CharField(max_length=100)
    use_case_id = models.CharField(max_length=64, null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)
    last_operation = models.CharField(max_length=8, null=True, blank=True)
    last_event_id = models.CharField(max_length=64, null=True, blank=True)
    readings_last_synced_at = models.DateTimeField(null=True, blank=True)
    readings_last_operation = models.CharField(max_length=8, null=True, blank=True)
    readings_last_event_id = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "entity_id", "integration_id"],
                                               name="uniq_entity_sync_state")]

    def __str__(self) -> str:
        return f"{self.entity_slug}:{self.entity_id} via {self.integration_id}"


class EntitySchema(models.Model):
    """The registry of an organisation's entity schemas, as far as the hub needs to know them (the hosted
    platform's schema service): which attributes exist, which attributes are the *conditions* that tell a
    conditional entity's variants apart (e.g. ``tariff_zone``, ``customer_type``), which attributes a variant
    may override, and which attribute dates a variant's version. Imports with conditional targets read it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="entity_schemas")
    slug = models.CharField(max_length=100)
    attributes = models.JSONField(default=list, blank=True)  # known attribute names; empty = not declared
    conditions = models.JSONField(default=list, blank=True)  # condition attribute names; empty = not conditional
    overridable = models.JSONField(default=list, blank=True)  # attributes a variant may override
    version_attribute = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="uniq_entity_schema_slug")]

    def __str__(self) -> str:
        return self.slug

    def as_dict(self) -> dict:
        return {"slug": self.slug, "attributes": list(self.attributes), "conditions": list(self.conditions),
                "overridable": list(self.overridable), "version_attribute": self.version_attribute or None}
