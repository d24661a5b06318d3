from django.urls import path

from krijt.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.write, name="write"),
    path("event/<int:event_id>/", views.event, name="event"),
    path("event/<int:event_id>/change/", views.change, name="change"),
    path("event/<int:event_id>/cancel/", views.cancel, name="cancel"),
]
