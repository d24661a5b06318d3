from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from krijt.accounts import views
from krijt.accounts.password_reset import RateLimitedPasswordResetView

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="logout_everywhere"),
    path("activate/", views.activate, name="activate"),
    path("me/", views.my_account, name="my_account"),
    path("password-reset/", RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
