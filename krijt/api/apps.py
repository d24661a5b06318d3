from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "krijt.api"
    label = "api"
