from django.urls import URLPattern, URLResolver, path, re_path

from krijt.api import views
from krijt.api.api import api

app_name = "api"


def _v1() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, ninja_app, namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    for entry in patterns:
        if isinstance(entry, URLPattern):
            view = views.one_error_shape(entry.callback)
            wrapped.append(URLPattern(entry.pattern, view, entry.default_args, entry.name))
        else:
            wrapped.append(entry)
    return wrapped, ninja_app, namespace


urlpatterns: list[URLPattern | URLResolver] = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", _v1()),
    # Anything else under /api/ answers in the API's error shape, not with an HTML page.
    re_path(r"^", views.not_found, name="not_found"),
]
