from django.contrib import admin

from erpintegration.models import AccessToken, Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "id", "created_at"]
    search_fields = ["name", "slug", "id"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization", "revoked_at"]
    search_fields = ["id", "name"]
    exclude = ["secret_hash"]
    readonly_fields = ["id", "organization", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued through the UI or `manage.py create_token`, which show the secret once


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "accepted_by"]
    list_filter = ["organization", "role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    readonly_fields = ["organization", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at",
                       "accepted_by"]

    def has_add_permission(self, request):
        return False  # invitations are created on the members page, which shows the link once
