from django.apps import AppConfig


class SchooladminConfig(AppConfig):
    name = "krijt.schooladmin"
    label = "schooladmin"
