"""Login, the organisation switcher, API tokens and members.

Views parse input, call one service and render; the rules live in ``erpintegration.tenancy`` and
``erpintegration.tokens``.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from erpintegration import invitations, tenancy, tokens
from erpintegration.exceptions import ApplicationError
from erpintegration.lib.client_ip import client_ip
from erpintegration.models import Role
from erpintegration.ui.access import admin_required, switch_organization, viewer_required
from erpintegration.ui.forms import InviteMemberForm, RoleForm, TokenForm


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
    """Members, and invitations by email: the invited person accepts with their own account."""
    form = InviteMemberForm(request.POST or None)
    invite_link = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created = invitations.create_invitation(request.organization, form.cleaned_data["email"],
                                                    form.cleaned_data["role"], invited_by=request.user)
            invite_link = request.build_absolute_uri(reverse("ui:invitation", args=[created.token]))
            messages.success(request, f"Invitation for {created.invitation.email} created.")
            form = InviteMemberForm()
        else:
            status = 400
    return render(
        request,
        "ui/members.html",
        {
            "form": form,
            "invite_link": invite_link,
            "members": tenancy.list_members(request.organization),
            "roles": Role.choices,
        },
        status=status,
    )


def invitation(request, token):
    """Accept an invitation: logged in, with this account; otherwise by creating one (or logging in)."""
    try:
        pending = invitations.pending_invitation(token)
    except ApplicationError:
        raise Http404("No such invitation")
    form = None if request.user.is_authenticated else UserCreationForm(request.POST or None)
    error = None
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = invitations.accept_invitation(token, request.user)
            elif form.is_valid():
                membership = invitations.accept_with_new_account(token, form.cleaned_data["username"],
                                                                 form.cleaned_data["password1"])
                auth_login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404("No such invitation")
            error = exc.message
            membership = None
        except ValidationError as exc:
            error = "; ".join(exc.messages)
            membership = None
        if membership is not None:
            switch_organization(request, str(membership.organization_id))
            messages.success(request, f"You joined {membership.organization.name} as "
                                      f"{Role(membership.role).label.lower()}.")
            return redirect("ui:home")
    return render(request, "ui/invitation.html", {"invitation": pending, "form": form, "error": error,
                                                  "token": token},
                  status=400 if error or (form is not None and form.errors) else 200)


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



def login_client_ip(request) -> str:
    """The address django-axes counts failed logins by (behind a trusted proxy: the forwarded one)."""
    return client_ip(request.META, settings.TRUSTED_PROXIES)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the login page with the reason, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "ui/login.html", {
        "locked_out": f"Too many failed login attempts. Try again in {minutes} minutes, or ask an administrator.",
        "form": None, "next": "",
    }, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
