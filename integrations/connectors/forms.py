"""Forms of the connectors pages: the whitelist editor and the type-package form."""
from __future__ import annotations

import json

from django import forms


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class WhitelistForm(forms.Form):
    allowed_domains = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
                                      help_text="One per line: api.example.com or *.example.com")
    allowed_ips = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
                                  help_text="One CIDR per line, e.g. 10.20.0.0/16")

    def changes(self) -> dict:
        return {"allowed_domains": _lines(self.cleaned_data["allowed_domains"]),
                "allowed_ips": _lines(self.cleaned_data["allowed_ips"])}


class TypesPackageForm(forms.Form):
    package_name = forms.CharField(max_length=214)
    version = forms.CharField(max_length=64)
    description = forms.CharField(required=False)
    annotations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "code"}),
                                  help_text='Optional: {"slug": {"response": {"items[].id": "string"}}}')

    def clean_annotations(self):
        text = self.cleaned_data["annotations"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"not valid JSON: {exc}")

    def request(self) -> dict:
        data = {"package_name": self.cleaned_data["package_name"], "version": self.cleaned_data["version"]}
        if self.cleaned_data.get("description"):
            data["description"] = self.cleaned_data["description"]
        if self.cleaned_data.get("annotations") is not None:
            data["annotations"] = self.cleaned_data["annotations"]
        return data
