"""Token scopes: what an API token may do (the contract's 403 "insufficient permissions").

Four scopes. A token issued without an explicit list gets all of them, and every token that existed
before scopes did was migrated to all of them, so nothing that worked starts answering 403. A narrower
token (e.g. consume-only for an ERP that polls outbound messages) gets 403 ``FORBIDDEN`` elsewhere.
"""
from rest_framework import permissions

VIEW = "integration:view"
MANAGE = "integration:manage"
CONSUME = "integration:consume"
MONITORING_INGEST = "monitoring:ingest"

ALL_SCOPES: tuple[str, ...] = (VIEW, MANAGE, CONSUME, MONITORING_INGEST)
SCOPE_LABELS = {
    VIEW: "Read integrations, use cases, events and monitoring",
    MANAGE: "Change configuration, replay, redrive and unblock",
    CONSUME: "Send inbound events, poll and acknowledge outbound messages",
    MONITORING_INGEST: "Write external monitoring spans",
}


def default_scopes() -> list[str]:
    return list(ALL_SCOPES)


def normalize_scopes(scopes) -> list[str]:
    """The known scopes of ``scopes`` in canonical order; ValueError naming an unknown one."""
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}; allowed: {', '.join(ALL_SCOPES)}")
    return [s for s in ALL_SCOPES if s in set(scopes)]


def token_has_scopes(token, required) -> bool:
    granted = set(token.scopes or ())
    return all(scope in granted for scope in required)


class ScopePermission(permissions.BasePermission):
    """Checks the scopes a view names; use ``requires(...)`` to build one per set of scopes.

    A view may also map HTTP methods to scopes with ``required_scopes_by_method``
    (e.g. ``{"GET": (VIEW,), "PUT": (MANAGE,)}``), which wins over the class default.
    """

    scopes: tuple[str, ...] = ()

    def has_permission(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "scopes"):
            return False
        by_method = getattr(view, "required_scopes_by_method", None)
        required = by_method.get(request.method, self.scopes) if by_method else self.scopes
        if token_has_scopes(token, required):
            return True
        self.message = f"Insufficient permissions: this token lacks the scope {' and '.join(required)}"
        return False


#: The default of every API view: reading needs ``view``, changing needs ``manage``. Views whose POST only
#: reads (queries, simulations) or that take ERP traffic (events: ``consume``) declare their own.
READ_VIEW_WRITE_MANAGE = {
    "GET": (VIEW,), "HEAD": (VIEW,), "OPTIONS": (VIEW,),
    "POST": (MANAGE,), "PUT": (MANAGE,), "PATCH": (MANAGE,), "DELETE": (MANAGE,),
}


class MethodScopes(ScopePermission):
    """The default permission: ``required_scopes_by_method`` of the view, else READ_VIEW_WRITE_MANAGE."""

    def has_permission(self, request, view):
        if getattr(view, "required_scopes_by_method", None) is None:
            self.scopes = READ_VIEW_WRITE_MANAGE.get(request.method, (MANAGE,))
        return super().has_permission(request, view)


def required_scopes(view_class, method: str) -> tuple[str, ...] | None:
    """The scopes a request with ``method`` needs on ``view_class`` (None: no token needed at all)."""
    classes = getattr(view_class, "permission_classes", ())
    scoped = [c for c in classes if isinstance(c, type) and issubclass(c, ScopePermission)]
    if not scoped:
        return None
    by_method = getattr(view_class, "required_scopes_by_method", None)
    if by_method is not None:
        return tuple(by_method.get(method, ()))
    if any(c is MethodScopes for c in scoped):
        return READ_VIEW_WRITE_MANAGE.get(method, (MANAGE,))
    return tuple(s for c in scoped for s in c.scopes)


def requires(*scopes: str) -> type[ScopePermission]:
    """A permission class that needs every scope in ``scopes`` (after authentication)."""
    for scope in scopes:
        if scope not in ALL_SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
    return type(f"Requires_{'_'.join(s.replace(':', '_') for s in scopes)}", (ScopePermission,),
                {"scopes": tuple(scopes)})
