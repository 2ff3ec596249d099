from django import forms

from erpintegration.models import Role


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=255,
        label="Name",
        help_text="Who or what uses it, e.g. 'SAP middleware production'.",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "SAP middleware production"}),
    )


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label="Email", help_text="Whom you invite; they accept with their own account.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
