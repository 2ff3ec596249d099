"""Outbound pages: webhooks (list, create, edit with write-only header values, rotate the secret, delete)
and an integration's deliveries (the list from the outbound monitoring rows, one delivery with its
attempts, resend for editors), and "Send test event" on a webhook."""
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.outbound import selectors as ui_deliveries
from integrations.outbound.forms import (
    DeliveryFilterForm,
    HeaderFormSet,
    WebhookForm,
    header_initial,
    stored_headers,
)
from integrations.outbound.services import catalog as outbound
from integrations.outbound.services import webhook_test as webhook_test_service
from integrations.outbound.services import webhooks
from integrations.setup import selectors

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


def _integration(request, integration_id):
    try:
        return selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _row_or_404(request, integration, row_id):
    row = ui_deliveries.get_row(request.organization, integration, row_id)
    if row is None:
        raise Http404("No such delivery")
    return row


@viewer_required
def delivery_list(request, integration_id):
    integration = _integration(request, integration_id)
    hooks = webhooks.list_webhooks(request.organization)
    form = DeliveryFilterForm(request.GET or None, webhook_choices=[(str(h.pk), h.name) for h in hooks])
    filters = ui_deliveries.DeliveryFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = ui_deliveries.DeliveryFilters(data["status"], data["webhook"], data["event_name"].strip())
    page = ui_deliveries.delivery_page(request.organization, integration, filters, request.GET.get("cursor"))
    names = {str(h.pk): h.name for h in hooks}
    for row in page.rows:
        row.webhook_name = names.get(row.webhook_config_id or "") or (row.metadata or {}).get("webhook_name")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "deliveries/list.html",
        {
            "integration": integration,
            "tab": "deliveries",
            "form": form,
            "page": page,
            "filtered": any(value for key, value in request.GET.items() if key != "cursor"),
            "query": query.urlencode(),
            "skips": ui_deliveries.recent_skips(request.organization, integration),
        },
        status=400 if form.errors else 200,
    )


@viewer_required
def delivery_detail(request, integration_id, row_id):
    integration = _integration(request, integration_id)
    row = _row_or_404(request, integration, row_id)
    webhook = webhooks.find_webhook(request.organization, row.webhook_config_id) if row.webhook_config_id else None
    use_case = None
    if row.use_case_id:
        try:
            use_case = selectors.get_use_case(request.organization, integration.pk, row.use_case_id)
        except NotFound:
            use_case = None
    resend_of = (row.metadata or {}).get("resend_of")
    return render(
        request,
        "deliveries/detail.html",
        {
            "integration": integration,
            "tab": "deliveries",
            "row": row,
            "webhook": webhook,
            "use_case": use_case,
            "resend_of_row": ui_deliveries.row_of_delivery(request.organization, integration, resend_of)
            if resend_of else None,
            "payload_pretty": ui_deliveries.pretty(row.payload) if row.payload is not None else "",
            "response_headers": ui_deliveries.pretty((row.http_response or {}).get("headers"))
            if (row.http_response or {}).get("headers") else "",
            "can_resend": request.membership.allows("editor"),
            "resend_refusal": ui_deliveries.resend_refusal(row),
        },
    )


@require_POST
@editor_required
def delivery_resend(request, integration_id, row_id):
    integration = _integration(request, integration_id)
    row = _row_or_404(request, integration, row_id)
    delivery_id = ui_deliveries.delivery_id_of(row)
    try:
        if delivery_id is None:
            raise NotFound("This delivery has no delivery record to resend.")
        resent = outbound.resend_delivery(request.organization, delivery_id)
    except ApplicationError as exc:
        messages.error(request, f"Not resent: {exc.message}")
        return redirect("ui-integrations:delivery", integration_id=integration.pk, row_id=row.pk)
    messages.success(request, f"Resent as a new delivery: {resent.get_status_display().lower()}.")
    if resent.monitoring_event_id is None:
        return redirect("ui-integrations:deliveries", integration_id=integration.pk)
    return redirect("ui-integrations:delivery", integration_id=integration.pk, row_id=resent.monitoring_event_id)


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
