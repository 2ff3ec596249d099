"""Outbound deliveries of an integration: the list (from the outbound monitoring rows), one delivery with
its attempts, and resend (``integrations.services.outbound.resend_delivery``, editor)."""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui import deliveries as ui_deliveries
from erpintegration.ui.access import editor_required, viewer_required
from monitoring.models import OutboundStatus

from . import selectors
from .services import outbound, webhooks


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *OutboundStatus.choices])
    webhook = forms.ChoiceField(required=False, label="Webhook")
    event_name = forms.CharField(required=False, max_length=255, label="Event name",
                                 widget=forms.TextInput(attrs={"placeholder": "contract.created"}))

    def __init__(self, *args, webhook_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook"].choices = [("", "Any webhook"), *webhook_choices]


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
