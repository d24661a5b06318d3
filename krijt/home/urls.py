from django.urls import path

from krijt.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("help/<slug:topic>/", views.help_page, name="help_topic"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("theme.css", views.theme_css, name="school_theme"),
    path("logo", views.school_logo, name="school_logo"),
]
