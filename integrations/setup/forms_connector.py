"""The v1.33 integration fields on the integration form: type, protected, manifest ids and the connector
(base URL and auth of managed calls). Secrets are entered as ``{{env.key}}`` references; the service
refuses literals, and its issue paths (``connector_config.auth.client_secret``) map back to the fields
here so each error shows at its input."""
from django import forms

AUTH_KEYS = ("token_url", "client_id", "client_secret", "scope", "audience", "resource", "api_key_header",
             "api_key", "token")
SECRET_HELP = "An environment reference like {{env.partner_secret}}; literal secrets are refused."


class IntegrationV133Fields(forms.Form):
    integration_type = forms.ChoiceField(
        choices=[("erp", "ERP (inbound and outbound use cases)"), ("connector", "Connector (calls a partner API)")],
        initial="erp", required=False, label="Integration type")
    protected = forms.BooleanField(required=False, label="Protected (shown read-only in this UI)")
    manifest = forms.CharField(required=False, max_length=2000, label="Blueprint manifest ids",
                               help_text="Comma-separated; stored as _manifest.")
    connector_base_url = forms.CharField(required=False, max_length=2000, label="Base URL",
                                         widget=forms.TextInput(attrs={"class": "code",
                                                                       "placeholder": "https://api.partner.example"}))
    connector_auth_type = forms.ChoiceField(
        required=False, label="Authentication",
        choices=[("", "none"), ("oauth2_client_credentials", "OAuth2 client credentials"),
                 ("api_key", "API key"), ("bearer", "Bearer token")])
    connector_token_url = forms.CharField(required=False, max_length=2000, label="Token URL")
    connector_client_id = forms.CharField(required=False, max_length=1000, label="Client id")
    connector_client_secret = forms.CharField(required=False, max_length=1000, label="Client secret",
                                              help_text=SECRET_HELP)
    connector_scope = forms.CharField(required=False, max_length=1000, label="Scope")
    connector_audience = forms.CharField(required=False, max_length=1000, label="Audience")
    connector_resource = forms.CharField(required=False, max_length=1000, label="Resource")
    connector_api_key_header = forms.CharField(required=False, max_length=255, label="API key header",
                                               help_text="Default X-API-Key.")
    connector_api_key = forms.CharField(required=False, max_length=1000, label="API key", help_text=SECRET_HELP)
    connector_token = forms.CharField(required=False, max_length=1000, label="Bearer token", help_text=SECRET_HELP)

    @classmethod
    def initial_from(cls, integration) -> dict:
        config = integration.connector_config or {}
        auth = config.get("auth") or {}
        initial = {"integration_type": integration.integration_type, "protected": integration.protected,
                   "manifest": ", ".join(integration.manifest or []),
                   "connector_base_url": config.get("base_url", ""), "connector_auth_type": auth.get("type", "")}
        initial.update({f"connector_{key}": auth.get(key, "") for key in AUTH_KEYS})
        return initial

    def values(self, previous_connector: dict | None) -> dict:
        """The service's input: the four fields; auth keys the form does not show are kept."""
        data = self.cleaned_data
        previous = previous_connector or {}
        connector = {k: v for k, v in previous.items() if k not in ("base_url", "auth")}
        if data["connector_base_url"]:
            connector["base_url"] = data["connector_base_url"]
        if data["connector_auth_type"]:
            auth = {k: v for k, v in (previous.get("auth") or {}).items() if k not in AUTH_KEYS and k != "type"}
            auth["type"] = data["connector_auth_type"]
            auth.update({key: data[f"connector_{key}"] for key in AUTH_KEYS if data[f"connector_{key}"]})
            connector["auth"] = auth
        manifest = [part.strip() for part in data["manifest"].split(",") if part.strip()]
        return {"integration_type": data["integration_type"] or "erp", "protected": data["protected"],
                "_manifest": manifest or None,
                "connector_config": connector if ("base_url" in connector or "auth" in connector) else None}

    def place_issues(self, details) -> bool:
        """Put each ``connector_config...`` issue on its field; False when none could be placed."""
        placed = False
        for issue in details or []:
            path = str(issue.get("path", "")) if isinstance(issue, dict) else ""
            key = path.removeprefix("connector_config.").removeprefix("auth.")
            name = "connector_auth_type" if key == "type" else f"connector_{key}"
            if path.startswith("connector_config") and name in self.fields:
                self.add_error(name, issue.get("message"))
                placed = True
        return placed
