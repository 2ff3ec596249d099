from django import forms

from erpintegration.models import Role


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=255,
        label="Name",
        help_text="Who or what uses it, e.g. 'SAP middleware production'.",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "SAP middleware production"}),
    )


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username", help_text="An existing user, or a new one.")
    email = forms.EmailField(required=False, label="Email", help_text="Only used when the user is new.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
