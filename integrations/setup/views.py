"""Setup pages for integration consultants: integrations, use cases, the editor with live simulation,
version history.

Views parse input, call one service or selector, and render. The current organisation and role come
from ``erpintegration.ui.access`` (``request.organization``); selectors scope every lookup by it, so
another organisation's object is a 404.
"""
import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.lib.diff import diff, summarize
from erpintegration.ui.access import editor_required, forbidden, found_or_404, viewer_required
from integrations.inbound import browser as ui_events
from integrations.models import UseCaseType
from integrations.outbound.services import webhooks
from integrations.setup import overview as queries
from integrations.setup import selectors, simulation_panel, versions, views_samples
from integrations.setup.forms import (
    EnvironmentFormSet,
    IntegrationForm,
    UseCaseCreateForm,
    UseCaseEditForm,
    environment_initial,
)
from integrations.setup.forms_connector import IntegrationV133Fields
from integrations.setup.services import integrations as integration_services
from integrations.setup.services import simulation
from integrations.setup.services import use_cases as use_case_services
from integrations.setup.services.mapping_environment import load_mapping_environment

STARTER_CONFIGURATIONS = {
    UseCaseType.INBOUND: {
        "entities": [
            {
                "entity_schema": "contact",
                "unique_ids": ["customer_number"],
                "fields": [
                    {"attribute": "customer_number", "field": "customerId"},
                    {"attribute": "first_name", "field": "firstName"},
                    {"attribute": "last_name", "field": "lastName"},
                ],
            }
        ]
    },
    UseCaseType.OUTBOUND: None,
    UseCaseType.FILE_PROXY: None,
    UseCaseType.MANAGED_CALL: {"operation": {"method": "GET", "path": "/"}},
    # secure_proxy: built from the routing mode chosen on the create form (read-only afterwards)
}


# Shown as the JSON editor's placeholder: what a minimal valid configuration of the type looks like.
EXAMPLE_CONFIGURATIONS = {
    UseCaseType.OUTBOUND: {
        "event_catalog_event": "contract.created",
        "mappings": [
            {
                "id": "6f1c2a52-0d0e-4a59-9b37-1d9d7e8a0c11",
                "name": "ERP contract sync",
                "jsonata_expression": '{ "id": entity._id, "customer": entity.customer_name }',
                "enabled": True,
                "delivery": {"type": "webhook", "webhook_id": "<webhook id>"},
            }
        ],
    },
    UseCaseType.FILE_PROXY: {
        "steps": [
            {"url": "{{env.api_base_url}}/documents/{{params.documentId}}", "method": "GET", "response_type": "binary"}
        ],
        "response": {"body": "steps[0].body", "encoding": "binary", "filename": "'document.pdf'"},
    },
    UseCaseType.MANAGED_CALL: {
        "operation": {"method": "POST", "path": "/orders/{{order_id}}", "headers": {"X-Tenant": "{{env.tenant}}"}},
        "request_mapping": '{ "id": order_id }',
        "response_mapping": "data",
        "inbound_use_case_slug": "order-sync",
    },
    UseCaseType.SECURE_PROXY: {"vpc_mode": "secure_link", "allowed_domains": ["*.erp.example.com"],
                               "allowed_ips": ["10.1.0.0/16"]},
}


def actor(request) -> str:
    """``changed_by`` of UI changes: the user's id (the history page shows the username)."""
    return str(request.user.pk)


# --- Integrations --------------------------------------------------------------------------------------


@viewer_required
def integration_list(request):
    rows = queries.integration_rows(request.organization)
    rows = queries.with_event_stats(rows, ui_events.event_stats(request.organization, [row.integration.pk for row in rows]))
    return render(request, "integrations/list.html", {"rows": rows, "show_events": True})


def _integration_form_page(request, integration=None):
    initial = IntegrationForm.initial_from(integration) if integration else None
    form = IntegrationForm(request.POST or None, initial=initial)
    v133 = IntegrationV133Fields(request.POST or None,
                                 initial=IntegrationV133Fields.initial_from(integration) if integration else None)
    environment = EnvironmentFormSet(
        request.POST or None, prefix="env", initial=environment_initial(integration) if integration else None
    )
    if request.method == "POST" and all([form.is_valid(), environment.is_valid(), v133.is_valid()]):
        data = {
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"] or None,
            "environment_config": environment.value(),
            "settings": form.settings_value(integration.settings if integration else None),
            **v133.values(integration.connector_config if integration else None),
        }
        try:
            if integration is None:
                integration = integration_services.create_integration(request.organization, data)
                messages.success(request, f"Integration “{integration.name}” created. Add its first use case.")
            else:
                integration = integration_services.update_integration(request.organization, integration, data)
                messages.success(request, "Integration saved.")
        except ApplicationError as exc:
            if not v133.place_issues(exc.details):
                form.add_error(None, exc.message)
        else:
            return redirect("ui-integrations:detail", integration_id=integration.pk)
    return render(
        request,
        "integrations/form.html",
        {"form": form, "environment": environment, "integration": integration, "v133": v133},
        status=400 if request.method == "POST" else 200,
    )


@editor_required
def integration_create(request):
    return _integration_form_page(request)


@editor_required
def integration_edit(request, integration_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    return _integration_form_page(request, integration)


@viewer_required
def integration_detail(request, integration_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    use_cases = queries.use_case_rows(request.organization, integration)
    counts = {value: sum(1 for uc in use_cases if uc.type == value) for value in UseCaseType.values}
    chosen = request.GET.get("type") if request.GET.get("type") in UseCaseType.values else ""
    return render(
        request,
        "integrations/detail.html",
        {
            "integration": integration,
            "use_cases": [uc for uc in use_cases if not chosen or uc.type == chosen],
            "all_count": len(use_cases),
            "type_filters": [(value, label, counts[value]) for value, label in UseCaseType.choices if counts[value]],
            "chosen_type": chosen,
            "types": UseCaseType.choices,
            "can_edit": request.membership.allows("editor"),
            "api_base": request.build_absolute_uri("/").rstrip("/"),
        },
    )


@editor_required
def integration_delete(request, integration_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    if request.method == "POST":
        integration_services.delete_integration(request.organization, integration)
        messages.success(request, f"Integration “{integration.name}” and its use cases were deleted.")
        return redirect("ui-integrations:list")
    use_cases = selectors.list_use_cases(request.organization, integration.pk)
    return render(request, "integrations/delete.html", {"integration": integration, "use_cases": use_cases})


# --- Use cases -----------------------------------------------------------------------------------------


@editor_required
def use_case_create(request, integration_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    initial = {"type": request.GET.get("type") or UseCaseType.INBOUND, "enabled": True}
    form = UseCaseCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in ("", None)}
        data["enabled"] = form.cleaned_data["enabled"]
        data.pop("vpc_mode", None)
        data["configuration"] = STARTER_CONFIGURATIONS.get(form.cleaned_data["type"])
        if form.cleaned_data["type"] == UseCaseType.SECURE_PROXY:
            data["configuration"] = {"vpc_mode": form.cleaned_data.get("vpc_mode") or "static_ip"}
        try:
            use_case = use_case_services.create_use_case(request.organization, integration, data, actor=actor(request))
        except ApplicationError as exc:
            form.add_error("slug" if "slug" in exc.message else None, exc.message)
        else:
            messages.success(request, f"Use case “{use_case.name}” created.")
            return redirect("ui-integrations:use-case", integration_id=integration.pk, use_case_id=use_case.pk)
    return render(
        request,
        "integrations/use_case_create.html",
        {"form": form, "integration": integration},
        status=400 if request.method == "POST" else 200,
    )


@viewer_required
def use_case_editor(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    # A protected integration is shown read-only (a UI hint; the API still accepts changes).
    can_edit = request.membership.allows("editor") and not use_case.integration.protected
    if request.method == "POST" and not can_edit:
        return forbidden(request, "Saving a use case needs the editor role.")
    initial = {
        "name": use_case.name,
        "enabled": use_case.enabled,
        "configuration": json.dumps(use_case.configuration, indent=2) if use_case.configuration is not None else "",
        "type_annotations": json.dumps(use_case.type_annotations, indent=2) if use_case.type_annotations else "",
    }
    form = UseCaseEditForm(request.POST or None, initial=initial)
    issues: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            use_case_services.update_use_case(
                request.organization,
                use_case,
                {
                    "name": form.cleaned_data["name"],
                    "enabled": form.cleaned_data["enabled"],
                    "configuration": form.cleaned_data["configuration"],
                    "change_description": form.cleaned_data["change_description"],
                    **({"type_annotations": form.cleaned_data["type_annotations"]}
                       if use_case.type == UseCaseType.MANAGED_CALL else {}),
                },
                actor=actor(request),
            )
        except ApplicationError as exc:
            issues = simulation_panel.issues_of(exc.details)
            form.add_error(None, "The configuration has problems; they are marked below." if issues else exc.message)
        else:
            messages.success(request, "Saved as a new version.")
            return redirect("ui-integrations:use-case", integration_id=use_case.integration_id, use_case_id=use_case.pk)
    return render(
        request,
        "integrations/use_case_editor.html",
        {
            "use_case": use_case,
            "integration": use_case.integration,
            "form": form,
            "issues": issues,
            "can_edit": can_edit,
            "can_try_call": request.membership.allows("editor"),
            "recent_events": [
                {
                    "url": reverse("ui-events:payload", kwargs={"integration_id": event.integration_id, "event_id": event.pk}),
                    "label": f"{event.received_at:%Y-%m-%d %H:%M:%S} · {event.status} · {str(event.pk)[:8]}",
                }
                for event in ui_events.recent_events_for(request.organization, use_case)
            ]
            if use_case.type == UseCaseType.INBOUND
            else [],
            "webhooks": webhooks.list_webhooks(request.organization) if use_case.type == UseCaseType.OUTBOUND else [],
            "example": json.dumps(EXAMPLE_CONFIGURATIONS.get(use_case.type), indent=2)
            if use_case.type in EXAMPLE_CONFIGURATIONS
            else "",
            **views_samples.editor_samples_context(request, use_case),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@editor_required
def use_case_toggle(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    enabled = not use_case.enabled
    use_case_services.update_use_case(
        request.organization,
        use_case,
        {"enabled": enabled, "change_description": "Enabled" if enabled else "Disabled"},
        actor=actor(request),
    )
    messages.success(request, f"“{use_case.name}” {'enabled' if enabled else 'disabled'}.")
    return redirect("ui-integrations:detail", integration_id=use_case.integration_id)


@editor_required
def use_case_delete(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    if request.method == "POST":
        use_case_services.delete_use_case(request.organization, use_case)
        messages.success(request, f"Use case “{use_case.name}” deleted with its history.")
        return redirect("ui-integrations:detail", integration_id=use_case.integration_id)
    return render(request, "integrations/use_case_delete.html", {"use_case": use_case, "integration": use_case.integration})


# --- Live simulation ------------------------------------------------------------------------------------


@require_POST
@viewer_required
def simulate(request, integration_id):
    """Draft configuration + sample payload -> the rendered result of the production mapping engine.

    Persists nothing, so viewers may use it too. Answers JSON ``{ok, html, issues}``: ``html`` is the
    result panel, ``issues`` the configuration problems with their paths for the editor to mark.
    """
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("expected an object")
    except ValueError:
        return JsonResponse({"code": "BAD_REQUEST", "message": "Send a JSON object"}, status=400)
    context = simulation_panel.simulation_context(simulation, body, load_mapping_environment(integration))
    html = render_to_string("integrations/_simulation_result.html", context, request=request)
    return JsonResponse({"ok": context["ok"], "html": html, "issues": context["issues"]})


# --- History ----------------------------------------------------------------------------------------------


@viewer_required
def use_case_history(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    try:
        page = versions.version_page(request.organization, use_case, request.GET.get("cursor"))
    except ApplicationError as exc:
        raise Http404(exc.message)
    return render(
        request,
        "integrations/history.html",
        {"use_case": use_case, "integration": use_case.integration, "page": page},
    )


@viewer_required
def use_case_diff(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    left = found_or_404(versions.get_version, request.organization, use_case, request.GET.get("from", ""))
    right = found_or_404(versions.get_version, request.organization, use_case, request.GET.get("to", "current"))
    changes = diff(left.document, right.document)
    return render(
        request,
        "integrations/diff.html",
        {
            "use_case": use_case,
            "integration": use_case.integration,
            "left": left,
            "right": right,
            "changes": changes,
            "summary": summarize(changes),
        },
    )


@require_POST
@editor_required
def use_case_restore(request, integration_id, use_case_id, history_id):
    use_case = found_or_404(selectors.get_use_case, request.organization, integration_id, use_case_id)
    try:
        use_case_services.restore_use_case_version(
            request.organization,
            use_case,
            history_id,
            actor=actor(request),
            change_description=(request.POST.get("change_description") or "").strip()[:2000] or None,
        )
    except NotFound as exc:
        raise Http404(exc.message)
    except ApplicationError as exc:
        messages.error(request, f"This version cannot be restored: {exc.message}")
        return redirect("ui-integrations:history", integration_id=use_case.integration_id, use_case_id=use_case.pk)
    messages.success(request, "Version restored; the restore is itself a new version.")
    return redirect(
        reverse("ui-integrations:history", kwargs={"integration_id": use_case.integration_id, "use_case_id": use_case.pk})
    )

