from django.urls import path

from krijt.care import views

app_name = "care"

urlpatterns = [
    path("notes/<int:note_id>/", views.note, name="note"),
]
