"""Webhook pages: list, create, edit, rotate the secret, delete.

Roles: every member sees the list (name, URL, state, header names - never secrets or header values);
editors create, change, rotate and delete, because they are the ones who wire outbound use cases to
webhooks. The signing secret is shown once, right after create or rotate, like API tokens.
"""
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required

from .services import webhook_test as webhook_test_service
from .services import webhooks
from .webhook_forms import HeaderFormSet, WebhookForm, header_initial, stored_headers

FORM_FIELDS = ("name", "url")


def _webhook_or_404(request, webhook_id):
    try:
        return webhooks.get_webhook(request.organization, webhook_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _report(exc: ApplicationError, form, headers) -> None:
    """Put the service's ``field: problem`` message next to the field it names."""
    field, _, problem = exc.message.partition(": ")
    if field in FORM_FIELDS and problem:
        form.add_error(field, problem[:1].upper() + problem[1:])
    elif field.startswith("headers") and problem:
        headers_error = f"Header {field.partition('.')[2] or ''} {problem}".replace("  ", " ")
        form.add_error(None, headers_error)
    else:
        form.add_error(None, exc.message)


def _secret_page(request, webhook, secret, *, rotated: bool):
    response = render(request, "webhooks/secret.html", {"webhook": webhook, "secret": secret, "rotated": rotated})
    add_never_cache_headers(response)  # the only copy of the secret: no browser or proxy cache keeps it
    return response


@viewer_required
def webhook_list(request):
    return render(
        request,
        "webhooks/list.html",
        {"webhooks": webhooks.list_webhooks(request.organization), "can_edit": request.membership.allows("editor")},
    )


@editor_required
def webhook_create(request):
    form = WebhookForm(request.POST or None)
    headers = HeaderFormSet(request.POST or None, prefix="headers")
    if request.method == "POST" and form.is_valid() and headers.is_valid():
        data = {**form.cleaned_data, "headers": headers.value()}
        try:
            created = webhooks.create_webhook(request.organization, data)
        except ApplicationError as exc:
            _report(exc, form, headers)
        else:
            return _secret_page(request, created.webhook, created.secret, rotated=False)
    return render(
        request, "webhooks/form.html", {"form": form, "headers": headers, "webhook": None},
        status=400 if request.method == "POST" else 200,
    )


@editor_required
def webhook_edit(request, webhook_id):
    webhook = _webhook_or_404(request, webhook_id)
    stored, readable = stored_headers(webhook)
    form = WebhookForm(request.POST or None, initial={"name": webhook.name, "url": webhook.url, "enabled": webhook.enabled})
    headers = HeaderFormSet(request.POST or None, prefix="headers", stored=stored, initial=header_initial(stored))
    if request.method == "POST" and form.is_valid() and headers.is_valid():
        data = {**form.cleaned_data, "headers": headers.value()}
        try:
            webhooks.update_webhook(request.organization, webhook.pk, data)
        except ApplicationError as exc:
            _report(exc, form, headers)
        else:
            messages.success(request, f"Webhook “{form.cleaned_data['name']}” saved.")
            return redirect("ui-webhooks:list")
    return render(
        request, "webhooks/form.html",
        {"form": form, "headers": headers, "webhook": webhook, "headers_unreadable": not readable},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@editor_required
def webhook_rotate(request, webhook_id):
    webhook = _webhook_or_404(request, webhook_id)
    rotated = webhooks.rotate_secret(request.organization, webhook.pk)
    return _secret_page(request, rotated.webhook, rotated.secret, rotated=True)


@editor_required
def webhook_delete(request, webhook_id):
    webhook = _webhook_or_404(request, webhook_id)
    if request.method == "POST":
        webhooks.delete_webhook(request.organization, webhook.pk)
        messages.success(request, f"Webhook “{webhook.name}” deleted.")
        return redirect("ui-webhooks:list")
    return render(request, "webhooks/delete.html", {"webhook": webhook})


@require_POST
@editor_required
def webhook_test(request, webhook_id):
    """Send a signed test event now and show what was sent and what came back."""
    webhook = _webhook_or_404(request, webhook_id)
    payload, result = webhook_test_service.send_test_event(webhook)
    response = render(request, "webhooks/test_result.html", {
        "webhook": webhook, "result": result, "payload_pretty": json.dumps(payload, indent=2, ensure_ascii=False),
        "response_headers": result.headers,
    })
    add_never_cache_headers(response)
    return response
