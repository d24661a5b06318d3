from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "krijt.imports"
    label = "imports"
