"""Portal configurations of the organisation (``portal_ref`` resolves against them): list, add, edit,
delete, and import from JSON. Reading needs the viewer role, changes the editor role."""
import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.models import PortalConfig
from integrations.setup.services import portals


class PortalForm(forms.ModelForm):
    portal_created_at = forms.DateTimeField(
        required=False, label="Created at (portal)",
        help_text="When the portal itself was created; the oldest match wins. Empty counts as oldest.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    class Meta:
        model = PortalConfig
        fields = ["portal_id", "origin", "name", "domain", "enabled", "is_dummy", "is_epilot_domain",
                  "portal_created_at"]
        labels = {"portal_id": "Portal id", "is_dummy": "Dummy (test) portal",
                  "is_epilot_domain": "Runs on an epilot domain"}
        widgets = {"portal_id": forms.TextInput(attrs={"class": "code"})}

    def validate_unique(self):
        pass  # (organization, portal_id) is checked by the service, which knows the organisation


class ImportForm(forms.Form):
    portals_json = forms.CharField(
        required=False, label="Portal configurations as JSON", strip=False,
        widget=forms.Textarea(attrs={"class": "code", "rows": 12, "placeholder": '[{"portal_id": "…", "origin": "END_CUSTOMER_PORTAL", "name": "…", "domain": "…"}]'}))
    file = forms.FileField(required=False, label="…or a JSON file")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = upload.read().decode("utf-8", errors="replace") if upload else data.get("portals_json") or ""
        if not text.strip():
            raise forms.ValidationError("Paste portal configurations or choose a file.")
        try:
            data["parsed"] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")
        return data


def _portal(request, portal_pk):
    try:
        return portals.get_portal(request.organization, portal_pk)
    except NotFound as exc:
        raise Http404(exc.message)


@viewer_required
def portal_list(request):
    items = portals.list_portals(request.organization)
    return render(request, "portals/list.html", {
        "portals": items, "can_edit": request.membership.allows("editor"),
        "export": json.dumps(portals.export_portals(request.organization), indent=2)})


def _form_page(request, form, portal=None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = portals.save_portal(request.organization, form.instance)  # is_valid() filled the instance
        except ApplicationError as exc:
            form.add_error("portal_id" if exc.message.startswith("portal_id") else None, exc.message)
        else:
            messages.success(request, f"Portal {saved.name or saved.portal_id} saved.")
            return redirect("ui-portals:list")
    return render(request, "portals/form.html", {"form": form, "portal": portal},
                  status=400 if request.method == "POST" else 200)


@editor_required
def portal_create(request):
    return _form_page(request, PortalForm(request.POST or None))


@editor_required
def portal_edit(request, portal_pk):
    portal = _portal(request, portal_pk)
    return _form_page(request, PortalForm(request.POST or None, instance=portal), portal)


@require_POST
@editor_required
def portal_delete(request, portal_pk):
    portal = _portal(request, portal_pk)
    portals.delete_portal(request.organization, portal)
    messages.success(request, f"Portal {portal.name or portal.portal_id} deleted.")
    return redirect("ui-portals:list")


@editor_required
def portal_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        try:
            created, updated = portals.import_portals(request.organization, form.cleaned_data["parsed"])
        except ApplicationError as exc:
            issues = exc.details if isinstance(exc.details, list) else [{"path": "portals", "message": exc.message}]
        else:
            messages.success(request, f"Imported: {created} new, {updated} updated.")
            return redirect("ui-portals:list")
    return render(request, "portals/import.html", {"form": form, "issues": issues},
                  status=400 if request.method == "POST" else 200)
