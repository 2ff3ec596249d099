"""Prune scopes (docs/entity-store.md, write semantics): after the upserts of one entity configuration,
delete or purge the in-scope entities of ``entity_schema`` that configuration did not upsert. Applied after
all entity updates."""
from __future__ import annotations

from django.db.models import Q

from entities.models import Entity, EntityRelation
from entities.services.context import WriteContext
from entities.services.lookup import _python_match, find_by_unique_ids, unique_id_queryset
from entities.services.report import EntityOutcome


def _scope_queryset(ctx: WriteContext, scope):
    """The live entities in scope, or None (with a warning) when the scope cannot be resolved."""
    where = f"prune scope of '{scope.entity_schema}' (entities[{scope.config_index}])"
    if scope.scope_mode == "relations":
        if not scope.scope_schema or not scope.scope_unique_ids:
            ctx.warn(f"{where}: no scope schema or unique ids; nothing pruned")
            return None
        matches = find_by_unique_ids(ctx.organization, scope.scope_schema, scope.scope_unique_ids)
        if len(matches) != 1:
            state = "not found" if not matches else "ambiguous"
            ctx.warn(f"{where}: scope entity '{scope.scope_schema}' {scope.scope_unique_ids} {state}; "
                     "nothing pruned")
            return None
        anchor = matches[0]
        related = EntityRelation.objects.filter(Q(source=anchor) | Q(target=anchor)).values_list(
            "source_id", "target_id")
        ids = {sid if tid == anchor.pk else tid for sid, tid in related} - {anchor.pk}
        return Entity.objects.filter(organization=ctx.organization, schema=scope.entity_schema,
                                     deleted_at__isnull=True, pk__in=ids)
    if scope.scope_mode == "query":
        if not scope.query:
            ctx.warn(f"{where}: empty query; nothing pruned")
            return None
        qs, python_checks = unique_id_queryset(ctx.organization, scope.entity_schema, scope.query)
        if python_checks:
            ids = [e.pk for e in qs if all(_python_match(e.attributes, k, v) for k, v in python_checks.items())]
            qs = Entity.objects.filter(pk__in=ids)
        return qs
    ctx.warn(f"{where}: unknown scope_mode '{scope.scope_mode}'; nothing pruned")
    return None


def apply_prune_scope(ctx: WriteContext, scope) -> None:
    qs = _scope_queryset(ctx, scope)
    if qs is None:
        return
    kept = ctx.upserted.get(scope.config_index, set())
    victims = list(qs.exclude(pk__in=kept).order_by("created_at", "id"))
    ctx.forget(scope.entity_schema)
    purge = scope.action == "purge"
    for entity in victims:
        entity_id = str(entity.pk)  # delete() clears the pk
        if purge:
            entity.delete()
        else:
            Entity.objects.filter(pk=entity.pk).update(
                deleted_at=ctx.now, updated_at=ctx.now, last_synced_at=ctx.now,
                last_event_id=ctx.event_id or "", last_integration_id=ctx.integration_id or "")
        ctx.report.entity_outcomes.append(EntityOutcome(
            scope.entity_schema, entity_id, "pruned_purged" if purge else "pruned_deleted",
            {"_id": entity_id}, scope.config_index))
