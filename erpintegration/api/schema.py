"""drf-spectacular extensions: document our bearer-token authentication in /openapi.json."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "erpintegration.auth.BearerTokenAuthentication"
    name = "EpilotAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Authorization header with an API access token (`api_….<secret>`)",
        }
