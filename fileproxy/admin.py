"""Environment values for operators. Secret values are write-only: the form never shows them, the list masks
them, and saving goes through ``fileproxy.environment`` so they are encrypted."""
from django import forms
from django.contrib import admin

from erpintegration.exceptions import ApplicationError
from fileproxy import environment
from fileproxy.models import EnvironmentValue


class EnvironmentValueForm(forms.ModelForm):
    new_value = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current value. Secret values are never shown.",
    )

    class Meta:
        model = EnvironmentValue
        fields = ["integration", "key"]

    def clean(self):
        cleaned = super().clean()
        integration, key = cleaned.get("integration"), cleaned.get("key")
        if integration and key and key not in environment.declared_variables(integration):
            self.add_error("key", f"{key!r} is not declared in the integration's environment_config")
        if not self.instance.pk and not cleaned.get("new_value"):
            self.add_error("new_value", "A value is required")
        return cleaned


@admin.register(EnvironmentValue)
class EnvironmentValueAdmin(admin.ModelAdmin):
    form = EnvironmentValueForm
    list_display = ["key", "integration", "organization", "is_secret", "shown_value", "updated_at"]
    list_filter = ["is_secret"]
    search_fields = ["key", "integration__name"]
    readonly_fields = ["organization", "is_secret", "shown_value", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["integration", "key"] if obj else [])

    @admin.display(description="value")
    def shown_value(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return "•••••• (secret)" if obj.is_secret else obj.value

    def save_model(self, request, obj, form, change):
        value = form.cleaned_data.get("new_value")
        try:
            if value:
                saved = environment.set_environment_value(obj.integration, obj.key, value)
                obj.pk, obj.value, obj.is_secret = saved.pk, saved.value, saved.is_secret
        except ApplicationError as exc:
            self.message_user(request, exc.message, level="error")
