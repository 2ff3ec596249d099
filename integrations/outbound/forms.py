"""Forms of the webhook pages. Header values are write-only: an existing header's value is never put back
into the page; an empty value keeps it, a new value replaces it, "remove" drops it."""
from django import forms

from erpintegration.lib import crypto
from monitoring.models import OutboundStatus


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=255, help_text="Shown in mappings and delivery logs, e.g. “SAP PI contracts”.")
    url = forms.CharField(
        label="URL", max_length=2048, widget=forms.URLInput(attrs={"class": "code", "placeholder": "https://"}),
        help_text="Deliveries are POSTed here, signed with the webhook's secret (Standard Webhooks).",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")


class HeaderForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={"class": "code"}))
    value = forms.CharField(
        max_length=4096, required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"class": "code", "autocomplete": "new-password"}),
    )
    existing = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BaseHeaderFormSet(forms.BaseFormSet):
    def __init__(self, *args, stored: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = stored or {}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            name = (form.cleaned_data.get("name") or "").strip()
            if not name or self._should_delete_form(form):
                if form.cleaned_data.get("value") and not name:
                    form.add_error("name", "Name the header.")
                continue
            if name.lower() in seen:
                form.add_error("name", "Each header may appear only once.")
            seen.add(name.lower())
            kept = form.cleaned_data.get("existing") and name in self.stored
            if not kept and not form.cleaned_data.get("value"):
                form.add_error("value", "Give the header a value.")

    def value(self) -> dict[str, str]:
        """The complete header set to store (the service replaces headers as a whole)."""
        headers = {}
        for form in self.forms:
            name = (form.cleaned_data.get("name") or "").strip()
            if not name or self._should_delete_form(form):
                continue
            typed = form.cleaned_data.get("value") or ""
            headers[name] = typed if typed else self.stored[name]
        return headers


HeaderFormSet = forms.formset_factory(HeaderForm, formset=BaseHeaderFormSet, extra=1, can_delete=True, max_num=50)


def stored_headers(webhook) -> tuple[dict[str, str], bool]:
    """The webhook's current headers for merging, and whether they could be decrypted at all."""
    try:
        return webhook.custom_headers(), True
    except crypto.DecryptionFailed:
        return {}, False


def header_initial(headers: dict[str, str]) -> list[dict]:
    return [{"name": name, "existing": True} for name in sorted(headers)]


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *OutboundStatus.choices])
    webhook = forms.ChoiceField(required=False, label="Webhook")
    event_name = forms.CharField(required=False, max_length=255, label="Event name",
                                 widget=forms.TextInput(attrs={"placeholder": "contract.created"}))

    def __init__(self, *args, webhook_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webhook"].choices = [("", "Any webhook"), *webhook_choices]
