"""Login, the organisation switcher, API tokens and members.

Views parse input, call one service and render; the rules live in ``erpintegration.tenancy`` and
``erpintegration.tokens``.
"""
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from erpintegration import tenancy, tokens
from erpintegration.exceptions import ApplicationError
from erpintegration.models import Role
from erpintegration.ui.access import admin_required, switch_organization, viewer_required
from erpintegration.ui.forms import AddMemberForm, RoleForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "ui/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@viewer_required
def home(request):
    return redirect("ui-integrations:list")


@require_POST
@login_required
def switch_org(request):
    membership = switch_organization(request, request.POST.get("organization", ""))
    if membership is None:
        messages.error(request, "You are not a member of that organisation.")
    else:
        messages.success(request, f"Switched to {membership.organization.name}.")
    # Objects of the previous organisation would be 404 now: go to the start page unless told otherwise.
    target = request.POST.get("next") or reverse("ui:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("ui:home")
    return redirect(target)


# --- Access tokens (admin) ---------------------------------------------------------------------------


@admin_required
def token_list(request):
    form = TokenForm(request.POST or None, initial={"scopes_shown": True})
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = tokens.issue_token(request.organization, form.cleaned_data["name"], created_by=request.user,
                                    scopes=form.cleaned_data["scopes"])
        form = TokenForm(initial={"scopes_shown": True})
    return render(
        request,
        "ui/tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens.list_tokens(request.organization),
            "api_base": request.build_absolute_uri("/").rstrip("/"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@admin_required
def token_revoke(request, token_id):
    if tokens.revoke_token(request.organization, token_id):
        messages.success(request, f"Token {token_id} revoked; calls with it now get 401.")
    else:
        messages.error(request, "That token does not exist or is already revoked.")
    return redirect("ui:tokens")


# --- Members (admin) ---------------------------------------------------------------------------------


@admin_required
def member_list(request):
    form = AddMemberForm(request.POST or None)
    added = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = tenancy.add_member(request.organization, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error("username", exc.message)
            else:
                messages.success(
                    request, f"{added.membership.user.username} added as {Role(added.membership.role).label}."
                )
                form = AddMemberForm()
        if form.errors:
            status = 400
    return render(
        request,
        "ui/members.html",
        {
            "form": form,
            "added": added,
            "members": tenancy.list_members(request.organization),
            "roles": Role.choices,
        },
        status=status,
    )


@require_POST
@admin_required
def member_role(request, membership_id):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick one of the roles viewer, editor or admin.")
        return redirect("ui:members")
    try:
        membership = tenancy.change_role(request.organization, membership_id, form.cleaned_data["role"])
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404("No such member")
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{membership.user.username} is now {Role(membership.role).label.lower()}.")
    return redirect("ui:members")


@require_POST
@admin_required
def member_remove(request, membership_id):
    try:
        membership = tenancy.remove_member(request.organization, membership_id)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404("No such member")
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{membership.user.username} no longer has access to {request.organization.name}.")
    return redirect("ui:members")

