"""The site's URLs with web push and the notification pages mounted, whether or not config/urls.py has them yet."""

from django.apps import apps
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_patterns

_mounted = {getattr(p, "namespace", None) for p in site_patterns}
urlpatterns = list(site_patterns)
if "webpush" not in _mounted:
    urlpatterns.append(path("push/", include("krijt.webpush.urls")))
if "notifications" not in _mounted and apps.is_installed("krijt.notifications"):
    urlpatterns.append(path("notifications/", include("krijt.notifications.urls")))
