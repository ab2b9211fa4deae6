"""Sign in, sign out, one's account, and opt-in public profiles."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from zaragoza.portal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("people/<str:username>/", views.person, name="person"),
]
