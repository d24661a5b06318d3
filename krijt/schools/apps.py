from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "krijt.schools"
    label = "schools"
