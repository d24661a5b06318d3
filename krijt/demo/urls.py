from django.urls import URLPattern, URLResolver

app_name = "demo"
urlpatterns: list[URLPattern | URLResolver] = []
