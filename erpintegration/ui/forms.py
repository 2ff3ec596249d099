from django import forms

from erpintegration.models import Role
from erpintegration.scopes import ALL_SCOPES, SCOPE_LABELS


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=255,
        label="Name",
        help_text="Who or what uses it, e.g. 'SAP middleware production'.",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "SAP middleware production"}),
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope}: {label}") for scope, label in SCOPE_LABELS.items()],
        initial=list(ALL_SCOPES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Scopes",
        help_text="All by default. An ERP that only sends events (and polls) needs just integration:consume.",
    )
    # The page always sends this marker, so "no box ticked" is an error rather than "the default".
    scopes_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_scopes(self):
        scopes = self.cleaned_data.get("scopes") or []
        if not scopes and self.data.get("scopes_shown"):
            raise forms.ValidationError("Choose at least one scope.")
        return scopes or list(ALL_SCOPES)


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label="Email", help_text="Whom you invite; they accept with their own account.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
