from django.urls import path

from krijt.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("help/<slug:topic>/", views.help_page, name="help_topic"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
