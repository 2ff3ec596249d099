"""Forms of the integration pages. They check the shape the contract gives each field
(docs/configuration-validation.md, field shapes);
the services then apply the change."""
import json

from django import forms
from django.core.validators import RegexValidator

from integrations.models import UseCaseType

ENV_KEY = RegexValidator(
    r"^[a-z0-9][a-z0-9_.\-]{0,127}$",
    "Lower-case letters, digits, '_', '.', '-'; starting with a letter or digit; at most 128 characters.",
)


class IntegrationForm(forms.Form):
    name = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    auto_refresh_enabled = forms.BooleanField(required=False, label="Refresh stale data automatically")
    freshness_threshold_minutes = forms.IntegerField(
        min_value=1,
        required=False,
        label="Freshness threshold (minutes)",
        help_text="Data older than this is stale and eligible for refresh.",
    )

    def clean(self):
        data = super().clean()
        if data.get("auto_refresh_enabled") and not data.get("freshness_threshold_minutes"):
            self.add_error("freshness_threshold_minutes", "Required when automatic refresh is on.")
        return data

    @classmethod
    def initial_from(cls, integration) -> dict:
        auto_refresh = ((integration.settings or {}).get("autoRefresh")) or {}
        return {
            "name": integration.name,
            "description": integration.description or "",
            "auto_refresh_enabled": bool(auto_refresh.get("enabled")),
            "freshness_threshold_minutes": auto_refresh.get("freshnessThresholdMinutes"),
        }

    def settings_value(self, previous: dict | None) -> dict | None:
        """``settings`` with ``autoRefresh`` replaced and any other keys kept."""
        data = self.cleaned_data
        settings = dict(previous or {})
        if data.get("auto_refresh_enabled") or data.get("freshness_threshold_minutes"):
            auto_refresh = {"enabled": bool(data.get("auto_refresh_enabled"))}
            if data.get("freshness_threshold_minutes"):
                auto_refresh["freshnessThresholdMinutes"] = data["freshness_threshold_minutes"]
            settings["autoRefresh"] = auto_refresh
        else:
            settings.pop("autoRefresh", None)
        return settings or None


class EnvironmentFieldForm(forms.Form):
    key = forms.CharField(max_length=128, validators=[ENV_KEY], widget=forms.TextInput(attrs={"class": "code"}))
    label = forms.CharField(max_length=255)
    # The initial value makes the untouched blank row unchanged (else its select counts as a change).
    type = forms.ChoiceField(choices=[("String", "String"), ("SecretString", "Secret")], initial="String")
    description = forms.CharField(max_length=1000, required=False)
    required = forms.BooleanField(required=False)


class BaseEnvironmentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self.can_delete and self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                form.add_error("key", "Each key may appear only once.")
            seen.add(key)

    def value(self) -> list[dict]:
        """``environment_config`` in row order (``order`` = position)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            row = {"key": data["key"], "label": data["label"], "type": data["type"], "required": data["required"]}
            if data.get("description"):
                row["description"] = data["description"]
            row["order"] = len(rows)
            rows.append(row)
        return rows


EnvironmentFormSet = forms.formset_factory(
    EnvironmentFieldForm, formset=BaseEnvironmentFormSet, extra=1, can_delete=True, max_num=200
)


def environment_initial(integration) -> list[dict]:
    rows = sorted(integration.environment_config or [], key=lambda row: row.get("order", 0))
    return [
        {
            "key": row.get("key", ""),
            "label": row.get("label", ""),
            "type": row.get("type", "String"),
            "description": row.get("description", ""),
            "required": bool(row.get("required")),
        }
        for row in rows
    ]


class UseCaseCreateForm(forms.Form):
    name = forms.CharField(
        max_length=255,
        help_text="For inbound use cases this is the event name the ERP sends, e.g. CustomerChanged.",
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    type = forms.ChoiceField(choices=UseCaseType.choices, widget=forms.RadioSelect)
    slug = forms.RegexField(
        regex=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=255,
        required=False,
        help_text="Optional; derived from the name when empty. It cannot change later.",
        error_messages={"invalid": "Lower-case letters, digits, '-' and '_', starting with a letter or digit."},
    )
    enabled = forms.BooleanField(required=False, initial=True)
    vpc_mode = forms.ChoiceField(
        choices=[("static_ip", "static_ip: through the fixed egress address"),
                 ("secure_link", "secure_link: into a private network, allow-listed domains and IP ranges")],
        required=False, label="Routing mode (secure proxy)", initial="static_ip",
        help_text="Secure proxies only; it cannot change after creation.",
    )


class JsonTextField(forms.CharField):
    """A textarea holding JSON; empty means "no configuration" (None)."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")


class UseCaseEditForm(forms.Form):
    name = forms.CharField(max_length=255)
    enabled = forms.BooleanField(required=False)
    configuration = JsonTextField(
        required=False, strip=False, widget=forms.Textarea(attrs={"class": "code json-editor", "spellcheck": "false"})
    )
    type_annotations = JsonTextField(
        required=False, strip=False, label="Type annotations (managed calls, JSON)",
        help_text='{"request": {"order_id": "string"}, "response": {"items[].id": "string"}}',
        widget=forms.Textarea(attrs={"class": "code", "rows": 4, "spellcheck": "false"}),
    )
    change_description = forms.CharField(
        max_length=2000,
        label="Describe this change",
        help_text="Shown in the history, like a commit message.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Map the customer's email"}),
    )
