"""Bearer-token authentication for the API and the organisation of each request."""
from dataclasses import dataclass

from rest_framework import authentication, exceptions, permissions

from erpintegration.models import AccessToken, Organization
from erpintegration.tokens import verify_token


@dataclass(frozen=True)
class TokenPrincipal:
    """The caller of an API request: an access token of one organisation."""

    token: AccessToken

    is_authenticated = True
    is_anonymous = False

    @property
    def organization(self) -> Organization:
        return self.token.organization

    @property
    def pk(self) -> str:
        return self.token.id

    def __str__(self) -> str:
        return self.token.id


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value or " " in value:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: expected 'Bearer <token>'")
        token = verify_token(value)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, unknown or revoked access token")
        request.organization = token.organization
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasOrganization(permissions.BasePermission):
    """Every API operation needs an authenticated token (which carries the organisation)."""

    message = "Authentication required: send 'Authorization: Bearer <token>'"

    def has_permission(self, request, view):
        return isinstance(request.user, TokenPrincipal)


def request_organization(request) -> Organization:
    """The organisation of an authenticated API request."""
    principal = request.user
    if not isinstance(principal, TokenPrincipal):
        raise exceptions.NotAuthenticated()
    return principal.organization
