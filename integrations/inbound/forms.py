"""Forms of the event browser."""
from django import forms

from integrations.models.events import EventStatus


class EventFilterForm(forms.Form):
    """Filters of the event browser; every field optional."""

    q = forms.CharField(required=False, max_length=255, label="Search ids",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "event, correlation or deduplication id"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status")] + list(EventStatus.choices))
    use_case = forms.ChoiceField(required=False, label="Use case")
    integration = forms.ChoiceField(required=False, label="Integration")
    since = forms.DateTimeField(required=False, label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, label="To", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    correlation_id = forms.CharField(required=False, max_length=255, label="Correlation id")
    group_id = forms.CharField(required=False, max_length=128, label="Group")

    def __init__(self, *args, use_cases=(), integrations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._use_cases = {str(use_case.pk): use_case for use_case in use_cases}
        self.fields["use_case"].choices = [("", "Any use case")] + [
            (key, use_case.name) for key, use_case in self._use_cases.items()
        ]
        if integrations is None:
            del self.fields["integration"]
            self._integrations = {}
        else:
            self._integrations = {str(integration.pk): integration for integration in integrations}
            self.fields["integration"].choices = [("", "Any integration")] + [
                (key, integration.name) for key, integration in self._integrations.items()
            ]
        if not self._use_cases:
            del self.fields["use_case"]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "Must be after From.")
        return data

    def use_case_object(self):
        return self._use_cases.get(self.cleaned_data.get("use_case") or "")

    def integration_object(self):
        return self._integrations.get(self.cleaned_data.get("integration") or "")
