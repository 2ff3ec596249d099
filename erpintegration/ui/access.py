"""Who is looking, in which organisation, with which role.

Every UI view goes through :func:`member_required`: it requires a logged-in user, resolves the current
organisation (the session remembers the one picked in the switcher) and checks the minimum role.
Views then read ``request.organization`` and ``request.membership`` and must scope every query by that
organisation, so another organisation's objects are simply not found (404).
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from erpintegration.exceptions import NotFound
from erpintegration.models import Membership, Role

SESSION_ORG_KEY = "ui_current_org_id"


def memberships_of(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
    )


def resolve_membership(request) -> Membership | None:
    """The membership of the organisation picked in the session, else the user's first one."""
    memberships = memberships_of(request.user)
    request.memberships = memberships
    wanted = request.session.get(SESSION_ORG_KEY)
    for membership in memberships:
        if membership.organization_id == wanted:
            return membership
    if memberships:
        request.session[SESSION_ORG_KEY] = memberships[0].organization_id
        return memberships[0]
    return None


def switch_organization(request, org_id: str) -> Membership | None:
    """Remember ``org_id`` as the current organisation if the user is a member of it."""
    membership = (
        Membership.objects.filter(user=request.user, organization_id=org_id).select_related("organization").first()
    )
    if membership is not None:
        request.session[SESSION_ORG_KEY] = membership.organization_id
    return membership


def forbidden(request, message: str):
    return render(request, "ui/forbidden.html", {"message": message}, status=403)


def member_required(role: str = Role.VIEWER):
    """Decorator: logged in, member of an organisation, and at least ``role`` in the current one."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = resolve_membership(request)
            if membership is None:
                return render(request, "ui/no_organization.html", status=403)
            request.membership = membership
            request.organization = membership.organization
            if not membership.allows(role):
                return forbidden(
                    request,
                    f"This needs the {Role(role).label.lower()} role in {membership.organization.name}; "
                    f"you are {Role(membership.role).label.lower()}.",
                )
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


viewer_required = member_required(Role.VIEWER)
editor_required = member_required(Role.EDITOR)
admin_required = member_required(Role.ADMIN)


def found_or_404(selector, *args):
    """Call an org-scoped selector; its NotFound (unknown id, another organisation's object) becomes a 404."""
    try:
        return selector(*args)
    except NotFound as exc:
        raise Http404(exc.message)
