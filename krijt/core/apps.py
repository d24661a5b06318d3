from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "krijt.core"
    label = "core"
