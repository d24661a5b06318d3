from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "krijt.demo"
    label = "demo"
