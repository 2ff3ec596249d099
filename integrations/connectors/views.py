"""Connectors pages (namespace ``ui-integrations``): the managed-call "try it" console, the secure-proxy
whitelist editor with its history, and the types page (preview, generate, commit, download .tgz)."""
from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError
from erpintegration.ui.access import editor_required, forbidden, found_or_404, viewer_required
from integrations.connectors import selectors
from integrations.connectors.forms import TypesPackageForm, WhitelistForm
from integrations.connectors.services import type_generation, whitelist
from integrations.connectors.services.console import try_managed_call
from integrations.connectors.typegen.package import tarball
from integrations.connectors.whitelist_history import whitelist_changes
from integrations.models import UseCaseType


@require_POST
@editor_required
def managed_call_try(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.use_case_of_type, request.organization, integration_id, use_case_id,
                            UseCaseType.MANAGED_CALL)
    try:
        payload = json.loads(request.body or b"{}").get("payload", {})
    except (ValueError, AttributeError):
        return JsonResponse({"ok": False, "error": {"code": "VALIDATION_ERROR",
                                                    "message": "payload: not valid JSON"}}, status=400)
    return JsonResponse(try_managed_call(request.organization, use_case, payload))


@viewer_required
def secure_proxy_whitelist(request, integration_id, use_case_id):
    use_case = found_or_404(selectors.use_case_of_type, request.organization, integration_id, use_case_id,
                            UseCaseType.SECURE_PROXY)
    can_edit = whitelist.is_org_admin(request.user, request.organization)
    if request.method == "POST" and not can_edit:
        return forbidden(request, "Changing a secure proxy whitelist needs the admin role.")
    current = selectors.whitelist_of(use_case)
    form = WhitelistForm(request.POST or None, initial={"allowed_domains": "\n".join(current["allowed_domains"]),
                                                        "allowed_ips": "\n".join(current["allowed_ips"])})
    if request.method == "POST" and form.is_valid():
        try:
            whitelist.update_whitelist(use_case, form.changes(), str(request.user.pk))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Whitelist saved; the previous version is in the history below.")
            return redirect("ui-integrations:whitelist", integration_id=use_case.integration_id,
                            use_case_id=use_case.pk)
    return render(request, "connectors/whitelist.html", {
        "integration": use_case.integration, "use_case": use_case, "whitelist": current, "form": form,
        "can_edit": can_edit, "changes": whitelist_changes(use_case), "crumb": "Whitelist",
    }, status=400 if request.method == "POST" else 200)


@viewer_required
def types_page(request, integration_id):
    integration = found_or_404(selectors.integration_for, request.organization, integration_id)
    preview = type_generation.preview(request.organization, integration.pk)
    connector = integration.connector_config or {}
    initial = {"package_name": connector.get("latest_types_package_name") or "",
               "version": preview["suggested_version"]}
    form = TypesPackageForm(request.POST or None, initial=initial)
    action = request.POST.get("action", "generate")
    generated = None
    can_commit = request.membership.allows("editor")
    if request.method == "POST" and form.is_valid():
        try:
            if action == "commit":
                if not can_commit:
                    return forbidden(request, "Committing types needs the editor role.")
                result = type_generation.commit(request.organization, integration.pk, form.request(),
                                                str(request.user.pk))
                messages.success(request, f"Committed {form.cleaned_data['package_name']}@"
                                          f"{form.cleaned_data['version']}; managed calls are now locked."
                                          + (f" Warnings: {'; '.join(result['warnings'])}" if result["warnings"] else ""))
                return redirect("ui-integrations:types", integration_id=integration.pk)
            generated = type_generation.generate(request.organization, integration.pk, form.request())
            if action == "download":
                name = generated["package_name"].lstrip("@").replace("/", "-")
                response = HttpResponse(tarball(generated["files"]), content_type="application/gzip")
                response["Content-Disposition"] = f'attachment; filename="{name}-{generated["version"]}.tgz"'
                return response
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    shapes = [{**uc, "request_json": json.dumps(uc["request_shape"], indent=2),
               "response_json": json.dumps(uc["response_shape"], indent=2)} for uc in preview["use_cases"]]
    return render(request, "connectors/types.html", {
        "integration": integration, "preview": preview, "shapes": shapes, "form": form, "generated": generated,
        "versions": list(reversed(connector.get("types_versions") or [])), "can_commit": can_commit,
        "tab": "types",
    }, status=400 if request.method == "POST" and form.errors else 200)
