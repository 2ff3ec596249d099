"""``GET /download``: public, authorised by the URL signature alone (docs/file-proxy.md)."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import forbidden, viewer_required
from fileproxy import environment, services
from integrations.setup import selectors


def content_disposition(filename: str) -> str:
    """``attachment`` (never ``inline``: the ERP chooses the content type, and an HTML file rendered on our
    origin would be stored XSS), with an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@require_GET
def download(request):
    query = [(name, value) for name, values in request.GET.lists() for value in values]
    try:
        file = services.open_download(query)
    except ApplicationError as exc:
        response = JsonResponse(exc.as_body(), status=exc.status_code)
        response["Cache-Control"] = "no-store"
        return response
    response = StreamingHttpResponse(file.chunks, content_type=file.content_type)
    if file.content_length is not None:
        response["Content-Length"] = str(file.content_length)
    response["Content-Disposition"] = content_disposition(file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    origin = request.headers.get("Origin")
    if origin and origin in file.allowed_origins:  # allowed_origins: exact match only, never a wildcard
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


MAX_VALUE_LENGTH = 10_000


class EnvironmentValuesForm(forms.Form):
    """One field per declared variable; a secret also gets a "clear" checkbox (empty input keeps it)."""

    def __init__(self, *args, variables: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.variables = variables
        for variable in variables:
            key = variable["key"]
            if variable["secret"]:
                self.fields[f"value__{key}"] = forms.CharField(
                    label=variable["label"], required=False, max_length=MAX_VALUE_LENGTH, strip=False,
                    widget=forms.PasswordInput(render_value=False, attrs={
                        "autocomplete": "new-password", "class": "code",
                        "placeholder": "set - leave empty to keep" if variable["is_set"] else "not set",
                    }),
                )
                self.fields[f"clear__{key}"] = forms.BooleanField(label=f"Clear {key}", required=False)
            else:
                self.fields[f"value__{key}"] = forms.CharField(
                    label=variable["label"], required=False, max_length=MAX_VALUE_LENGTH, strip=False,
                    initial=variable["value"] or "", widget=forms.TextInput(attrs={"class": "code"}),
                )

    def rows(self):
        for variable in self.variables:
            key = variable["key"]
            yield {
                **variable,
                "field": self[f"value__{key}"],
                "clear": self[f"clear__{key}"] if variable["secret"] else None,
            }

    def clean(self):
        data = super().clean()
        for variable in self.variables:
            key = variable["key"]
            value = data.get(f"value__{key}") or ""
            if "\x00" in value:
                self.add_error(f"value__{key}", "NUL characters are not allowed.")
            if variable["secret"] and value and data.get(f"clear__{key}"):
                self.add_error(f"clear__{key}", "Either type a new value or clear it, not both.")
        return data

    def changes(self) -> list[tuple[str, str | None]]:
        """``(key, new value)`` pairs; ``None`` deletes. Unchanged variables are left out.

        A String variable set to the empty text is cleared; an empty secret input keeps the stored secret.
        """
        out = []
        for variable in self.variables:
            key = variable["key"]
            value = self.cleaned_data.get(f"value__{key}") or ""
            if variable["secret"]:
                if value:
                    out.append((key, value))
                elif self.cleaned_data.get(f"clear__{key}") and variable["is_set"]:
                    out.append((key, None))
            elif value and value != (variable["value"] or ""):
                out.append((key, value))
            elif not value and variable["is_set"]:
                out.append((key, None))
        return out


def environment_variables(integration) -> list[dict]:
    """``describe_environment`` plus what the page needs (secret flag, required, description, order)."""
    declared = environment.declared_variables(integration)
    rows = []
    for item in environment.describe_environment(integration):
        declaration = declared.get(item["key"], {})
        rows.append({
            **item,
            "secret": item["type"] == environment.SECRET_TYPE or (item["is_set"] and item["value"] is None),
            "required": bool(declaration.get("required")),
            "description": declaration.get("description") or "",
            "order": declaration.get("order", 0),
        })
    rows.sort(key=lambda row: row["order"] if isinstance(row["order"], int) else 0)
    return rows


def _apply(integration, changes) -> None:
    """All or nothing: a refused value leaves every other one as it was."""
    with transaction.atomic():
        for key, value in changes:
            if value is None:
                environment.delete_environment_value(integration, key)
            else:
                environment.set_environment_value(integration, key, value)


def _summary(changes, variables) -> str:
    replaced = {row["key"] for row in variables if row["secret"] and row["is_set"]}
    parts = [
        f"{key} {'cleared' if value is None else ('replaced' if key in replaced else 'set')}" for key, value in changes
    ]
    return "Environment saved: " + ", ".join(parts) + "." if parts else "Nothing changed."


@viewer_required
def environment_values(request, integration_id):
    try:
        integration = selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)
    can_edit = request.membership.allows("editor")
    if request.method == "POST" and not can_edit:
        return forbidden(request, "Changing environment values needs the editor role.")
    variables = environment_variables(integration)
    form = EnvironmentValuesForm(request.POST or None, variables=variables)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            _apply(integration, changes)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _summary(changes, variables))
            return redirect("ui-integrations:environment", integration_id=integration.pk)
    missing = [row["key"] for row in variables if row["required"] and not row["is_set"]]
    return render(
        request,
        "integrations/environment.html",
        {"integration": integration, "form": form, "can_edit": can_edit, "missing": missing, "tab": "environment"},
        status=400 if request.method == "POST" else 200,
    )
