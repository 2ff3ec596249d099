"""Forms of the imports pages."""
from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV (comma, semicolon or tab separated; UTF-8 or Windows-1252) or an "
                                     "XLSX workbook (first sheet). The first row names the columns.")


class ValidateForm(forms.Form):
    use_case = forms.ChoiceField(label="Inbound use case")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["use_case"].choices = [("", "Choose a use case…"), *choices]

    def target(self) -> tuple[str, str]:
        integration_id, _, slug = self.cleaned_data["use_case"].partition("|")
        return integration_id, slug


class ExecuteForm(forms.Form):
    ack_warnings = forms.BooleanField(required=False, label="I have read the warnings and want to import anyway")
