from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from krijt.accounts.views import platform_sign_in, set_language

# The platform administration signs people in through Krijt's sign-in (limits, hashing pool), never its own.
admin.site.login = platform_sign_in  # type: ignore[assignment,method-assign]

urlpatterns = [
    path("", include("krijt.home.urls")),
    path("", include("krijt.ops.urls")),
    path("accounts/", include("krijt.accounts.urls")),
    path("manage/", include("krijt.schooladmin.urls")),
    path("manage/imports/", include("krijt.imports.urls")),
    path("api/", include("krijt.api.urls")),
    path("planner/", include("krijt.planner.urls")),
    path("hand-in/", include("krijt.handin.urls")),
    path("results/", include("krijt.results.urls")),
    path("report-cards/", include("krijt.reportcards.urls")),
    path("attendance/", include("krijt.attendance.urls")),
    path("care/", include("krijt.care.urls")),
    path("news/", include("krijt.announcements.urls")),
    path("calendar/", include("krijt.agenda.urls")),
    path("documents/", include("krijt.documents.urls")),
    path("live/", include("krijt.live.urls")),
    path("exercises/", include("krijt.exercises.urls")),
    path("messages/", include("krijt.messaging.urls")),
    path("notifications/", include("krijt.notifications.urls")),
    path("push/", include("krijt.webpush.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("platform-admin/", admin.site.urls),
]

handler400 = "krijt.core.views.bad_request"
handler403 = "krijt.core.views.forbidden"
handler404 = "krijt.core.views.not_found"
handler500 = "krijt.core.views.server_error"
