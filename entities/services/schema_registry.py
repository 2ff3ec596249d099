"""The entity-schema registry: which attributes a schema has, its condition attributes (variants of
conditional entities), the attributes a variant may override, and the attribute that dates a version."""
from __future__ import annotations

import re

from django.db import transaction

from entities.models import EntitySchema
from erpintegration.exceptions import NotFound, ValidationFailed

SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,99}$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")


def list_schemas(organization) -> list[EntitySchema]:
    return list(EntitySchema.objects.filter(organization=organization).order_by("slug"))


def get_schema(organization, slug: str) -> EntitySchema:
    schema = EntitySchema.objects.filter(organization=organization, slug=slug).first()
    if schema is None:
        raise NotFound(f"Entity schema {slug!r} is not registered")
    return schema


def _names(field: str, values) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationFailed(f"{field}: must be a list of attribute names")
    out = []
    for value in values:
        value = value.strip()
        if not NAME.match(value):
            raise ValidationFailed(f"{field}: {value!r} is not an attribute name")
        if value not in out:
            out.append(value)
    return out


@transaction.atomic
def save_schema(organization, slug: str, *, attributes=(), conditions=(), overridable=(),
                version_attribute: str = "") -> EntitySchema:
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        raise ValidationFailed("slug: lower-case letters, digits, '-' and '_', starting with a letter")
    attributes = _names("attributes", list(attributes))
    conditions = _names("conditions", list(conditions))
    overridable = _names("overridable", list(overridable))
    version_attribute = (version_attribute or "").strip()
    if version_attribute and not NAME.match(version_attribute):
        raise ValidationFailed(f"version_attribute: {version_attribute!r} is not an attribute name")
    both = set(conditions) & set(overridable)
    if both:
        raise ValidationFailed(f"overridable: {sorted(both)[0]!r} is a condition; a variant cannot override it")
    if attributes:
        unknown = [n for n in [*conditions, *overridable, *([version_attribute] if version_attribute else [])]
                   if n not in attributes]
        if unknown:
            raise ValidationFailed(f"attributes: {unknown[0]!r} is used but not listed among the attributes")
    schema, _ = EntitySchema.objects.update_or_create(
        organization=organization, slug=slug,
        defaults={"attributes": attributes, "conditions": conditions, "overridable": overridable,
                  "version_attribute": version_attribute})
    return schema


def delete_schema(organization, slug: str) -> None:
    get_schema(organization, slug).delete()
