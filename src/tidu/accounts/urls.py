"""Login, logout and password reset at their usual names (Django's emails use them), plus /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tidu.accounts import views

account_patterns = [
    path("register/", views.register, name="register"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("request/", views.request_status, name="request_status"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<int:pk>/confirm/", views.request_confirm, name="request_confirm"),
    path("requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("without-account/", views.without_account, name="without_account"),
    path("invitations/<int:enterprise_id>/", views.invite, name="invite"),
    path("activate/<str:token>/", views.activate, name="activate"),
]

urlpatterns = [
    path("login/", views.TiduLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.TiduPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/", include((account_patterns, "accounts"))),
]
