from django.urls import path

from krijt.live import views

app_name = "live"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("lessons/<int:lesson_id>/cancel/", views.cancel, name="cancel"),
    path("<int:lesson_id>/<str:day>/", views.occurrence, name="occurrence"),
    path("<int:lesson_id>/<str:day>/join/", views.join, name="join"),
    path("<int:lesson_id>/<str:day>/state/", views.state, name="state"),
    path("<int:lesson_id>/<str:day>/other/", views.other, name="other"),
    path("<int:lesson_id>/<str:day>/joined/", views.joined, name="joined"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/servers/<int:server_id>/", views.server, name="server"),
]
