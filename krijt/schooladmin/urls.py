from django.urls import URLPattern, URLResolver

app_name = "schooladmin"
urlpatterns: list[URLPattern | URLResolver] = []
