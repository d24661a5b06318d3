from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "krijt.api"
    label = "api"

    def ready(self) -> None:
        from krijt.core import nav
        from krijt.core.roles import Role

        # Students and parents can reach the page too; the menu stays short for them on a phone.
        nav.register("api_tokens", _("API tokens"), "api:tokens", {Role.TEACHER, Role.STAFF, Role.ADMIN}, order=900,
                     icon="key")
