from django.urls import path

from krijt.care import views

app_name = "care"

urlpatterns = [
    path("", views.home, name="home"),
    path("write/", views.write, name="write"),
    path("students/<int:student_id>/", views.student, name="student"),
    path("notes/<int:note_id>/", views.note, name="note"),
]
