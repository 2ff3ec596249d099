"""The entity-schema registry page: every member reads it; editors register, change and remove schemas."""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from entities.services import schema_registry
from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required

FIELDS = ("slug", "attributes", "conditions", "overridable", "version_attribute")


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace("\n", ",").split(",") if part.strip()]


class SchemaForm(forms.Form):
    slug = forms.CharField(max_length=100, help_text="The entity schema, as inbound mappings name it (e.g. price).")
    attributes = forms.CharField(required=False, help_text="Comma-separated; leave empty to not declare them.")
    conditions = forms.CharField(required=False, help_text="Condition attributes that tell variants apart "
                                                           "(e.g. zone, customer_type). Empty: not conditional.")
    overridable = forms.CharField(required=False, help_text="Attributes a variant may override.")
    version_attribute = forms.CharField(required=False, max_length=100,
                                        help_text="The attribute that dates a variant's version (optional).")


@viewer_required
def registry(request):
    return render(request, "entities/registry.html", {
        "schemas": schema_registry.list_schemas(request.organization), "form": SchemaForm(),
        "can_edit": request.membership.allows("editor"),
    })


@editor_required
def registry_edit(request, slug=None):
    schema = None
    if slug is not None:
        try:
            schema = schema_registry.get_schema(request.organization, slug)
        except NotFound as exc:
            raise Http404(exc.message)
    initial = {} if schema is None else {
        "slug": schema.slug, "attributes": ", ".join(schema.attributes), "conditions": ", ".join(schema.conditions),
        "overridable": ", ".join(schema.overridable), "version_attribute": schema.version_attribute}
    form = SchemaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = schema_registry.save_schema(
                request.organization, data["slug"], attributes=_split(data["attributes"]),
                conditions=_split(data["conditions"]), overridable=_split(data["overridable"]),
                version_attribute=data["version_attribute"])
            messages.success(request, f"Schema {saved.slug} saved.")
            return redirect("ui-entity-registry:list")
        except ApplicationError as exc:
            field, _, problem = exc.message.partition(": ")
            form.add_error(field if field in FIELDS else None, problem or exc.message)
    return render(request, "entities/registry_form.html", {"form": form, "schema": schema})


@editor_required
@require_POST
def registry_delete(request, slug):
    try:
        schema_registry.delete_schema(request.organization, slug)
    except NotFound as exc:
        raise Http404(exc.message)
    messages.success(request, f"Schema {slug} removed from the registry (its entities stay).")
    return redirect("ui-entity-registry:list")
