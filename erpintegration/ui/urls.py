from django.urls import path

from erpintegration.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("organization/switch/", views.switch_org, name="switch-org"),
    path("settings/tokens/", views.token_list, name="tokens"),
    path("settings/tokens/<str:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("settings/members/", views.member_list, name="members"),
    path("settings/members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path("settings/members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
