"""The notification pages: the centre and its badge, the school's policy, a person's preferences, failed deliveries.

Thin: forms in, services for writes, selectors for reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from krijt.core.errors import Forbidden, KrijtError, ValidationFailed
from krijt.core.forms import show_error
from krijt.core.permissions import require_school, school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import STAFF_ROLES, Role
from krijt.core.widgets import DateInput, TimeInput
from krijt.notifications import selectors, services
from krijt.notifications.permissions import EVERYONE, MANAGE_POLICY, SEE_FAILED, SEE_URGENT_LOG
from krijt.notifications.policy import PARENT, STAFF, STUDENT, DeliveryPolicy, QuietRules

BADGE_MAX = 99


def audience_of(roles: frozenset[str]) -> str:
    """The audience a person's own settings speak for in this school: staff before parent before student."""
    if roles & STAFF_ROLES:
        return STAFF
    if Role.PARENT.value in roles:
        return PARENT
    return STUDENT


def _hhmm(value: dt.time) -> str:
    return time_format(value, "H:i")


_show_error = show_error


# ---------------------------------------------------------------- the notification centre


@never_cache
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar, polled by htmx: two queries (the user and the count).

    Only the person's own count in this school is shown, so being signed in is enough; no roles query.
    Signed out (the session ended while the page stayed open), 286 tells htmx to stop polling.
    """
    school = require_school(request)
    if not request.user.is_authenticated:
        return HttpResponse(status=286)
    count = selectors.unread_count(user=_user(request), school=school)
    shown = f"{BADGE_MAX}+" if count > BADGE_MAX else str(count)
    # Rendered without the request: the site shell's context (navigation, roles) would cost a query.
    return HttpResponse(render_to_string("notifications/_badge.html", {"count": count, "shown": shown}))


@never_cache
@school_view(roles=EVERYONE)
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = selectors.notifications_for(
        user=_user(request), school=_school(request), page=request.GET.get("page") or 1, unread_only=unread_only
    )
    has_unread = unread_only or any(item.unread for item in page.object_list)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "keep": "unread=1" if unread_only else "", "has_unread": has_unread},
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("notifications:list")
    return redirect(target)


@school_view(roles=EVERYONE)
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Marks the item read and goes to what it is about."""
    item = services.notification_mark_read(
        school=_school(request), user=_user(request), notification_id=notification_id
    )
    target = item.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:list")
    return redirect(target)


@school_view(roles=EVERYONE)
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    school, user = _school(request), _user(request)
    services.notification_mark_read(school=school, user=user, notification_id=notification_id)
    if request.headers.get("HX-Request"):
        item = selectors.notification_item(school=school, user=user, notification_id=notification_id)
        response = render(request, "notifications/_item.html", {"item": item, "next": reverse("notifications:list")})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return _back_to_list(request)


@school_view(roles=EVERYONE)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(school=_school(request), user=_user(request))
    if count:
        messages.success(request, _("Everything is marked as read."))
    return _back_to_list(request)


# ---------------------------------------------------------------- the school's policy

AUDIENCE_LABELS = {
    STUDENT: gettext_lazy("Students"),
    PARENT: gettext_lazy("Parents"),
    STAFF: gettext_lazy("Staff"),
}
URGENT_ROLE_LABELS = [
    (Role.TEACHER.value, gettext_lazy("Teachers")),
    (Role.STAFF.value, gettext_lazy("Staff")),
    (Role.ADMIN.value, gettext_lazy("Administrators")),
]


def _limit(name: str) -> dt.time | None:
    value = getattr(services, name, None)
    return value if isinstance(value, dt.time) else None


def policy_limits() -> dict[str, Any]:
    """The bounds the services enforce, to show next to the fields (students and parents only)."""
    return {
        "earliest_start": _limit("EARLIEST_QUIET_START"),
        "latest_start": _limit("LATEST_QUIET_START"),
        "earliest_end": _limit("EARLIEST_QUIET_END"),
        "latest_end": _limit("LATEST_QUIET_END"),
        "max_budget": getattr(services, "MAX_PUSH_BUDGET", 50),
    }


def _start_help(limits: dict[str, Any]) -> str:
    low, high = limits["earliest_start"], limits["latest_start"]
    if low and high:
        return _("Between %(low)s and %(high)s.") % {"low": _hhmm(low), "high": _hhmm(high)}
    if high:
        return _("At %(time)s at the latest.") % {"time": _hhmm(high)}
    return ""


def _end_help(limits: dict[str, Any]) -> str:
    low, high = limits["earliest_end"], limits["latest_end"]
    if low and high:
        return _("Between %(low)s and %(high)s.") % {"low": _hhmm(low), "high": _hhmm(high)}
    if low:
        return _("At %(time)s at the earliest.") % {"time": _hhmm(low)}
    return ""


class PolicyForm(forms.Form):
    digest_time = forms.TimeField(label=gettext_lazy("Daily digest for parents at"), widget=TimeInput())
    urgent_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who may send an urgent message"),
        choices=URGENT_ROLE_LABELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Always with a reason; every urgent message is logged."),
    )

    def __init__(self, *args: Any, limits: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["push_budget"] = forms.IntegerField(
            label=_("Push notifications per person per day"),
            min_value=0,
            max_value=limits["max_budget"],
            help_text=_("From 0 to %(max)s. Beyond it, the rest waits for the daily e-mail.")
            % {"max": limits["max_budget"]},
        )
        self.audience_fields: list[tuple[str, Any, list[str]]] = []
        for audience in (STUDENT, PARENT, STAFF):
            bounded = audience != STAFF
            self.fields[f"{audience}_quiet_start"] = forms.TimeField(
                label=_("Quiet from"), widget=TimeInput(), help_text=_start_help(limits) if bounded else ""
            )
            self.fields[f"{audience}_quiet_end"] = forms.TimeField(
                label=_("until"), widget=TimeInput(), help_text=_end_help(limits) if bounded else ""
            )
            self.fields[f"{audience}_quiet_weekends"] = forms.BooleanField(
                label=_("Quiet all weekend"), required=False
            )
            self.fields[f"{audience}_quiet_holidays"] = forms.BooleanField(
                label=_("Quiet in holidays and on closure days"), required=False
            )
            names = [f"{audience}_quiet_{part}" for part in ("start", "end", "weekends", "holidays")]
            self.audience_fields.append((audience, AUDIENCE_LABELS[audience], names))

    def audiences(self) -> list[dict[str, Any]]:
        return [
            {"key": key, "label": label, "fields": [self[name] for name in names]}
            for key, label, names in self.audience_fields
        ]

    def rules(self, audience: str) -> QuietRules:
        data = self.cleaned_data
        return QuietRules(
            start=data[f"{audience}_quiet_start"],
            end=data[f"{audience}_quiet_end"],
            weekends=data[f"{audience}_quiet_weekends"],
            holidays=data[f"{audience}_quiet_holidays"],
        )


def _policy_initial(policy: DeliveryPolicy) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "digest_time": policy.digest_time,
        "push_budget": policy.push_budget,
        "urgent_roles": sorted(policy.urgent_roles),
    }
    for audience in (STUDENT, PARENT, STAFF):
        rules = policy.rules_for(audience)
        initial.update(
            {
                f"{audience}_quiet_start": rules.start,
                f"{audience}_quiet_end": rules.end,
                f"{audience}_quiet_weekends": rules.weekends,
                f"{audience}_quiet_holidays": rules.holidays,
            }
        )
    return initial


URGENT_ROLE_WORDS = {
    Role.TEACHER.value: gettext_lazy("teachers"),
    Role.STAFF.value: gettext_lazy("staff"),
    Role.ADMIN.value: gettext_lazy("administrators"),
}


def _quiet_days(rules: QuietRules) -> str:
    if rules.weekends and rules.holidays:
        return _("at weekends and in holidays")
    if rules.weekends:
        return _("at weekends")
    if rules.holidays:
        return _("in holidays")
    return ""


def _quiet_sentence(who: str, rules: QuietRules) -> str:
    values = {"who": who, "start": _hhmm(rules.start), "end": _hhmm(rules.end), "days": _quiet_days(rules)}
    if rules.start == rules.end:
        if values["days"]:
            return _("%(who)s have no quiet hours on school days, but get nothing %(days)s.") % values
        return _("%(who)s have no quiet hours.") % values
    if values["days"]:
        return _("%(who)s get nothing between %(start)s and %(end)s, %(days)s.") % values
    return _("%(who)s get nothing between %(start)s and %(end)s.") % values


def _staff_sentence(rules: QuietRules) -> str:
    values = {"start": _hhmm(rules.start), "end": _hhmm(rules.end), "days": _quiet_days(rules)}
    if values["days"]:
        return _(
            "Staff get no e-mail or push between %(start)s and %(end)s, nor %(days)s; in Krijt itself they see "
            "everything at once."
        ) % values
    return _(
        "Staff get no e-mail or push between %(start)s and %(end)s; in Krijt itself they see everything at once."
    ) % values


def policy_sentences(policy: DeliveryPolicy) -> list[str]:
    """The policy in plain words, in the reader's language."""
    sentences = []
    if policy.student == policy.parent:
        sentences.append(_quiet_sentence(_("Students and parents"), policy.student))
    else:
        sentences.append(_quiet_sentence(_("Students"), policy.student))
        sentences.append(_quiet_sentence(_("Parents"), policy.parent))
    sentences.append(
        _(
            "What arrives in quiet hours waits for the next allowed moment; for students and parents that "
            "includes the notification centre and the inbox."
        )
    )
    sentences.append(_staff_sentence(policy.staff))
    sentences.append(
        _(
            "Parents get one e-mail a day with everything about all their children, at %(time)s unless they "
            "choose another time."
        )
        % {"time": _hhmm(policy.digest_time)}
    )
    if policy.push_budget:
        sentences.append(
            ngettext(
                "Nobody gets more than %(n)s push notification a day; anything more waits for the daily e-mail.",
                "Nobody gets more than %(n)s push notifications a day; anything more waits for the daily e-mail.",
                policy.push_budget,
            )
            % {"n": policy.push_budget}
        )
    else:
        sentences.append(_("Krijt sends no push notifications in this school."))
    words = [str(URGENT_ROLE_WORDS[r]) for r in URGENT_ROLE_WORDS if r in policy.urgent_roles]
    if words:
        sentences.append(
            _(
                "Only urgent messages go through quiet hours. They may be sent by %(who)s, always with a reason, "
                "and every urgent message is logged."
            )
            % {"who": str(get_text_list(words, _("and")))}
        )
    else:
        sentences.append(_("Nobody may send urgent messages: quiet hours hold for everything."))
    return sentences


@never_cache
@school_view(roles=EVERYONE)
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    can_edit = bool(_roles(request) & MANAGE_POLICY)
    current = selectors.policy_for(school=school)
    context: dict[str, Any] = {"sentences": policy_sentences(current), "can_edit": can_edit}
    if not can_edit:
        if request.method == "POST":
            raise Forbidden()
        return render(request, "notifications/policy.html", context)
    limits = policy_limits()
    form = PolicyForm(request.POST or None, initial=_policy_initial(current), limits=limits)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(
                school=school,
                actor=_user(request),
                roles=_roles(request),
                student=form.rules(STUDENT),
                parent=form.rules(PARENT),
                staff=form.rules(STAFF),
                digest_time=form.cleaned_data["digest_time"],
                push_budget=form.cleaned_data["push_budget"],
                urgent_roles=form.cleaned_data["urgent_roles"],
            )
        except KrijtError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The school's notification policy is saved."))
            return redirect("notifications:policy")
    context.update({"form": form, "counts": selectors.delivery_counts(school=school)})
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/policy.html", context, status=status)


# ---------------------------------------------------------------- a person's preferences


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Send me e-mail"), required=False)
    push = forms.BooleanField(label=gettext_lazy("Send push notifications to my devices"), required=False)
    digest = forms.TypedChoiceField(
        label=gettext_lazy("E-mail"),
        choices=[
            ("0", gettext_lazy("One e-mail for each item, when it may arrive")),
            ("1", gettext_lazy("One e-mail a day with everything (digest)")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    digest_time = forms.TimeField(label=gettext_lazy("Digest time"), widget=TimeInput(), required=False)

    def __init__(self, *args: Any, window: QuietRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["digest_time"].help_text = _("Between %(start)s and %(end)s.") % {
            "start": _hhmm(window.end),
            "end": _hhmm(window.start),
        }
        self.fields["digest_time"].widget.attrs.update({"min": _hhmm(window.end), "max": _hhmm(window.start)})


@never_cache
@school_view(roles=EVERYONE)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    school, user = _school(request), _user(request)
    audience = audience_of(_roles(request))
    row = selectors.preference_row(user=user)
    current = selectors.preference_from_row(row, audience)
    policy = selectors.policy_for(school=school)
    initial = {
        "email": current.email,
        "push": current.push,
        "digest": "1" if current.digest else "0",
        "digest_time": current.digest_time or policy.digest_time,
    }
    form = PreferenceForm(request.POST or None, initial=initial, window=policy.parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored_time = row.digest_time if row is not None else None
        digest_time = data["digest_time"] if data["digest"] else stored_time
        if digest_time == policy.digest_time and stored_time is None:
            digest_time = None  # keeps following the school's digest time if the school changes it
        try:
            services.preference_update(
                user=user,
                digest=data["digest"],
                digest_time=digest_time,
                email=data["email"],
                push=data["push"],
                school=school,
            )
        except KrijtError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    from krijt.webpush.selectors import subscriptions_of

    context = {
        "form": form,
        "audience": audience,
        "digest_default": audience == PARENT,
        "school_digest_time": policy.digest_time,
        "push_devices": list(subscriptions_of(user=user)),
        "push_next": reverse("notifications:preferences"),
        "has_email": bool(user.email),
    }
    return render(request, "notifications/preferences.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------- failed deliveries


@never_cache
@school_view(roles=SEE_FAILED)
@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    from krijt.notifications import kinds

    school = _school(request)
    page = selectors.failed_deliveries(school=school, page=request.GET.get("page") or 1)
    language = translation.get_language() or settings.LANGUAGE_CODE
    rows = [
        {"delivery": d, "title": kinds.render(d.notification.kind, d.notification.params, language).title}
        for d in page.object_list
    ]
    return render(request, "notifications/failed.html", {"page": page, "rows": rows})


@school_view(roles=SEE_FAILED)
@require_POST
def failed_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        services.delivery_retry(school=_school(request), delivery_id=delivery_id)
    except KrijtError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("It will be sent again in a moment."))
    return redirect("notifications:failed")


class PeriodForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    until = forms.DateField(label=gettext_lazy("Until (inclusive)"), required=False, widget=DateInput())


@never_cache
@school_view(roles=SEE_URGENT_LOG)
@require_GET
def urgent_log(request: HttpRequest) -> HttpResponse:
    """Every urgent message of the school: who sent it, when, why, to whom and how many it reached."""
    school = _school(request)
    form = PeriodForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    try:
        page = selectors.urgent_log(school=school, page=request.GET.get("page") or 1, since=since, until=until)
    except ValidationFailed as error:
        show_error(form, error)
        page = selectors.urgent_log(school=school, page=request.GET.get("page") or 1)
    rows = [
        {
            "log": row,
            "title": row.title,
            "audiences": [
                (label, row.audiences.get(audience, 0))
                for audience, label in (("student", _("students")), ("parent", _("parents")), ("staff", _("staff")))
                if row.audiences.get(audience)
            ],
        }
        for row in page.object_list
    ]
    kept = {k: request.GET[k] for k in ("since", "until") if request.GET.get(k)} if form.is_valid() else {}
    query = urlencode(kept)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "notifications/urgent_log.html", {"page": page, "rows": rows, "form": form, "query": query},
        status=status,
    )
