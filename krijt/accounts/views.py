from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from krijt.accounts import services
from krijt.accounts.forms import (
    CodeForm,
    OwnEmailForm,
    OwnLanguageForm,
    OwnPasswordForm,
    ParentAccountForm,
    SignInForm,
)
from krijt.accounts.selectors import cached_roles_in_school, devices_of, first_school_slug
from krijt.core.errors import KrijtError, RateLimited
from krijt.core.forms import show_error


def _after_sign_in(request: HttpRequest, user: object) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    school = getattr(request, "school", None)
    # Through the cache: the home page this redirects to asks the same question next.
    if school is not None and cached_roles_in_school(school=school, user=request.user):  # type: ignore[arg-type]
        return redirect("home")
    slug = first_school_slug(user=request.user)  # type: ignore[arg-type]
    if slug:
        return HttpResponseRedirect(f"/s/{slug}/")
    return redirect("home")


@never_cache
@csrf_protect
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.auth_sign_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                keep_signed_in=form.cleaned_data["keep_signed_in"],
            )
        except RateLimited as exc:
            form.add_error(None, str(exc.message))
            response = render(
                request, "accounts/sign_in.html", {"form": form, "retry_after": exc.retry_after}, status=429
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except KrijtError as exc:
            form.add_error(None, str(exc.message))
            status = 400
        else:
            response = _after_sign_in(request, user)
            response.set_cookie(services.DEVICE_COOKIE, services.device_cookie_value(request, user),
                                max_age=services.DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE, path="/")
            return response
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    services.auth_sign_out(request=request)
    return redirect("accounts:login")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.auth_sign_out_everywhere(request=request, user=request.user)  # type: ignore[arg-type]
    return redirect("accounts:login")


@never_cache
def activate(request: HttpRequest) -> HttpResponse:
    """A parent redeems the code from the school's letter: a new account, or a child added to theirs."""
    code_form = CodeForm(request.POST or None if "check" in request.POST else None)
    account_form = None
    activation = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            activation = services.activation_code_check(code=code)
        except KrijtError as exc:
            code_form = CodeForm(request.POST)
            code_form.is_valid()
            code_form.add_error("code", str(exc.message))
            return render(request, "accounts/activate.html", {"code_form": code_form}, status=400)
        if "link" in request.POST and request.user.is_authenticated:
            services.parent_link_by_code(code=code, parent=request.user)  # type: ignore[arg-type]
            return redirect("home")
        if "create" in request.POST:
            account_form = ParentAccountForm(request.POST)
            if account_form.is_valid():
                try:
                    user = services.parent_activate(code=code, **account_form.cleaned_data)
                except KrijtError as exc:
                    show_error(account_form, exc)
                else:
                    login(request, user, backend="krijt.accounts.backends.KrijtBackend")
                    return HttpResponseRedirect(f"/s/{activation.school.slug}/")
        else:
            account_form = ParentAccountForm()
    return render(
        request,
        "accounts/activate.html",
        {
            "code_form": code_form,
            "account_form": account_form,
            "activation": activation,
            "code": request.POST.get("code", ""),
        },
        status=400 if account_form is not None and account_form.errors else 200,
    )


def _message(request: HttpRequest, text: str) -> HttpResponse:
    return render(request, "accounts/message.html", {"text": text})


def signed_out(request: HttpRequest) -> HttpResponse:
    return _message(request, _("You are signed out."))


def password_reset_done_url() -> str:
    return reverse("accounts:password_reset_done")


def platform_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The platform administration's sign-in is Krijt's own, with its limits and hashing pool."""
    from django.contrib.auth.views import redirect_to_login

    target = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/")
        from krijt.core.errors import Forbidden

        raise Forbidden(_("This page is for the platform's operators."))
    return redirect_to_login(target, reverse("accounts:login"))


# ---------------------------------------------------------------- my account


def _account_forms(request: HttpRequest, bound: str = "") -> dict[str, Any]:
    user = request.user
    data = request.POST if request.method == "POST" else None
    return {
        "password_form": OwnPasswordForm(data if bound == "password" else None, prefix="pw"),
        "email_form": OwnEmailForm(data if bound == "email" else None, prefix="em",
                                   initial={"email": user.email}),  # type: ignore[union-attr]
        "language_form": OwnLanguageForm(data if bound == "language" else None, prefix="lang",
                                         initial={"language": user.language  # type: ignore[union-attr]
                                                  or translation.get_language()}),
    }


@never_cache
@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """One's own account: e-mail, language, password, notification settings, and where one is signed in."""
    user: Any = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _account_forms(request, action)
    status = 200
    saves: dict[str, tuple[str, Callable[[dict[str, Any]], object], str]] = {
        "password": ("password_form", lambda data: services.own_password_change(
            request=request, user=user, current=data["current_password"], new=data["new_password1"],
            repeated=data["new_password2"]), _("Your password is changed. Your other devices are signed out.")),
        "email": ("email_form", lambda data: services.own_email_change(
            user=user, email=data["email"], password=data["email_password"], school=getattr(request, "school", None)),
            _("Your e-mail address is saved.")),
    }
    if action in saves:
        name, save, done = saves[action]
        form = forms[name]
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except KrijtError as error:
                show_error(form, error)
            else:
                messages.success(request, done)
                return redirect("accounts:my_account")
        status = 400
    if action == "language":
        form = forms["language_form"]
        if form.is_valid():
            language = form.cleaned_data["language"]
            services.own_language_set(user=user, language=language)
            translation.activate(language)
            messages.success(request, _("Krijt now speaks this language to you on every device."))
            response = redirect("accounts:my_account")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                                samesite="Lax")
            return response
        status = 400
    elif action == "device":
        if services.device_sign_out(request=request, user=user, device_id=request.POST.get("device", "")):
            return redirect("accounts:login")
        messages.success(request, _("That device is signed out."))
        return redirect("accounts:my_account")
    elif action and action not in saves:
        status = 400  # an action the page does not know
    school = getattr(request, "school", None)
    context = {
        **forms,
        "devices": devices_of(user=user, current_key=request.session.session_key),
        "in_school": school is not None,
    }
    return render(request, "accounts/my_account.html", context, status=status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a signed-in person the choice is also kept on their account, so that it
    follows them to every device (krijt.accounts.middleware applies it)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.own_language_set(user=request.user, language=language)  # type: ignore[arg-type]
    return response
