"""One's account (the public-profile choice) and a person's opt-in public profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zaragoza.portal.accounts.models import Grant, PublicProfile
from zaragoza.portal.accounts.permissions import grants


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PublicProfile
        fields = ["public", "display_name", "affiliation"]
        labels = {
            "public": gettext_lazy(
                "Show a public profile (name, affiliation, published practices)"
            ),
            "display_name": gettext_lazy("Name to show"),
            "affiliation": gettext_lazy("Affiliation"),
        }


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's roles and the choice of a public profile (off by default)."""
    prof, _made = PublicProfile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=prof)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "grants": grants(request.user),
            "rows": Grant.objects.filter(user=request.user).order_by("role", "country"),
        },
    )


def person(request: HttpRequest, username: str) -> HttpResponse:
    """A person's public profile, only if they opted in (otherwise: not found)."""
    user: Any = get_object_or_404(get_user_model(), username=username, is_active=True)
    prof = PublicProfile.objects.filter(user=user, public=True).first()
    if prof is None:
        raise Http404("no public profile")
    from zaragoza.knowledge.rules import State

    practices = user.practices.filter(state=State.PUBLISHED).order_by("title_en")
    return render(request, "accounts/person.html", {"profile": prof, "practices": practices})
